package hierarchy

import (
	"runtime"
	"testing"
)

// BenchmarkBaselineParentArray walks the same members over a bare []int32
// parent array: the floor the machine's memory allows for 10 random steps.
func BenchmarkBaselineParentArray(b *testing.B) {
	benchGenealogy(b)
	g, ws := bench.g, bench.walkers
	s := g.Snapshot(bench.at)
	parent := make([]int32, g.Len())
	for i := range parent {
		parent[i] = s.sponsorOf(int32(i))
	}
	b.ReportAllocs()
	i, sum := 0, 0
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
