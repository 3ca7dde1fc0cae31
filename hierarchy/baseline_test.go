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
func BenchmarkWalkBaselineParentArray(b *testing.B) { benchBaseline(b, 1<<14) }

// BenchmarkWalkBaselineParentArrayHot is the same from the 64 members of
// BenchmarkWalkUpline10Hot.
func BenchmarkWalkBaselineParentArrayHot(b *testing.B) { benchBaseline(b, 64) }

func benchBaseline(b *testing.B, walkers int) {
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
		i++
	}
	runtime.KeepAlive(sum)
}
