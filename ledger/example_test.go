package ledger_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/uplinehq/upline/internal/ledgerworld"

	"github.com/uplinehq/upline/ledger"
)

// Post an order's revisions out of order and twice, pay August, then
// reconcile.
func Example() {
	ctx := context.Background()
	world, err := ledgerworld.BuildWorld()
	if err != nil {
		fmt.Println(err)
		return
	}
	l := ledger.New(ledger.NewMemory(), world.Engine)

	revs, err := world.Revisions("1001", "C", ledgerworld.Placed) // pending, paid, refund, refund
	if err != nil {
		fmt.Println(err)
		return
	}
	received := ledgerworld.Placed
	for _, i := range []int{1, 2, 1, 0, 3, 3} {
		res, err := l.Post(ctx, &revs[i], received)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("revision %d: %s, %d entries\n", i, res.Outcome, len(res.Entries))
	}
	bal, _ := l.Balance(ctx, "B", "USD", time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC))
	fmt.Println("B is owed", bal.StringFixed(2))

	run, _ := l.Payout(ctx, ledger.Run{ID: "2025-09", Period: ledger.Month(2025, time.September),
		At: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)})
	for _, p := range run.Paid {
		fmt.Println("paid", p.Member, p.Amount.StringFixed(2), p.Currency)
	}
	rec, _ := l.Reconcile(ctx, ledger.Month(2025, time.August), revs[3:], received)
	rec.WriteTable(os.Stdout)
	// Output:
	// revision 1: posted, 11 entries
	// revision 2: posted, 6 entries
	// revision 1: stale, 0 entries
	// revision 0: stale, 0 entries
	// revision 3: posted, 6 entries
	// revision 3: duplicate, 0 entries
	// B is owed 4.40
	// paid A 2.00 USD
	// paid B 4.40 USD
	// paid ROOT 0.80 USD
	// reconciliation 2025-08-01T00:00:00Z – 2025-09-01T00:00:00Z: 1 orders, 1 matched, 0 missing, 0 extra, 0 differing, 0 held, delta share 0
	//
	//   currency  desired  posted  delta  share
	//        USD     7.20    7.20   0.00      0
}
