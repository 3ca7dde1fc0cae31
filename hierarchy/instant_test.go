package hierarchy

import (
	"math"
	"testing"
	"time"
)

func TestClampInstant(t *testing.T) {
	if got := minInstant.Unix(); got != minInnerSec-1 {
		t.Errorf("minInstant.Unix() = %d, want %d", got, int64(minInnerSec-1))
	}
	if got := maxInstant.Unix(); got != maxInnerSec+1 {
		t.Errorf("maxInstant.Unix() = %d, want %d", got, int64(maxInnerSec+1))
	}
	tests := []struct {
		name string
		t    time.Time
		want int64
	}{
		{"zero time", time.Time{}, math.MinInt64},
		{"just before the range", minInstant.Add(-time.Nanosecond), math.MinInt64},
		{"start of the range", minInstant, math.MinInt64},
		{"inside the first second", minInstant.Add(time.Nanosecond), math.MinInt64 + 1},
		{"first whole second", time.Unix(minInnerSec, 0), minInnerSec * 1e9},
		{"epoch", time.Unix(0, 0), 0},
		{"in another zone", time.Date(2024, 1, 1, 2, 0, 0, 0, time.FixedZone("x", 7200)), time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()},
		{"last whole second", time.Unix(maxInnerSec, 999_999_999), maxInnerSec*1e9 + 999_999_999},
		{"end of the range", maxInstant, math.MaxInt64},
		{"just after the range", maxInstant.Add(time.Nanosecond), math.MaxInt64},
		{"far future", time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clampInstant(tt.t); got != tt.want {
				t.Errorf("clampInstant(%v) = %d, want %d", tt.t, got, tt.want)
			}
		})
	}
	now := time.Now() // carries a monotonic reading
	if got, want := clampInstant(now), now.UnixNano(); got != want {
		t.Errorf("clampInstant(now) = %d, want %d", got, want)
	}
}
