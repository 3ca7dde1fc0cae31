package hierarchy

import (
	"runtime"
	"testing"
)

// BenchmarkWalkBaselineParentArray walks from the same members as
// BenchmarkWalkUpline10 over a bare []int32 parent array: the floor the
// machine's memory allows for 10 random steps. Its loop is so small that
// the processor overlaps the next walk's cache misses with this one's,
// which a walk doing real work per step cannot.
func BenchmarkWalkBaselineParentArray(b *testing.B) { benchBaseline(b, 1<<14, false) }

// BenchmarkWalkBaselineParentArrayHot is the same from the 64 members of
// BenchmarkWalkUpline10Hot.
func BenchmarkWalkBaselineParentArrayHot(b *testing.B) { benchBaseline(b, 64, false) }

// BenchmarkWalkBaselineParentArraySerial is BenchmarkWalkBaselineParentArray
// with each walk starting only once the previous one has ended, as walks
// between other work do: the sum of ten cache misses' latencies, the
// floor for a walk from members spread over the tree.
func BenchmarkWalkBaselineParentArraySerial(b *testing.B) { benchBaseline(b, 1<<14, true) }

// benchBaseline walks a bare []int32 parent array built from the
// snapshot. serial makes each walk's start depend on the previous walk's
// end, so walks cannot overlap in the memory system.
func benchBaseline(b *testing.B, walkers int, serial bool) {
	benchGenealogy(b)
	g, ws := bench.g, bench.walkers[:walkers]
	s := g.Snapshot(bench.at)
	parent := make([]int32, g.Len())
	for i := range parent {
		parent[i] = s.sponsorOf(int32(i))
	}
	b.ReportAllocs()
	i, sum := 0, 0
	defer reportCPU(b)()
	for b.Loop() {
		m := int32(ws[i&(len(ws)-1)])
		for range 10 {
			m = parent[m]
			sum += int(m)
		}
		if serial {
			// The walkers are 10 levels deep, so m >= 0 and this adds 1,
			// but the next walk has to wait for m to know it.
			i += 1 + int(m>>31)
		} else {
			i++
		}
	}
	runtime.KeepAlive(sum)
}
