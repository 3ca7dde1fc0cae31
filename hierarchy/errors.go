package hierarchy

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Error kinds. Every error this package returns wraps exactly one of them
// and is an *Error that names the change, the member(s), the instant and
// why.
var (
	// ErrInvalid: a field is missing, out of range or not used by the
	// change's Op (an empty member id, an unknown status, an instant outside
	// 1677–2262, a paid-as rank above the highest rank).
	ErrInvalid = errors.New("hierarchy: invalid change")
	// ErrOutOfOrder: the change was recorded before the last change already
	// in the log. The log is append-only; a correction is a new change
	// recorded now and effective whenever it should be.
	ErrOutOfOrder = errors.New("hierarchy: recorded out of order")
	// ErrDuplicateMember: the member is already enrolled.
	ErrDuplicateMember = errors.New("hierarchy: member already enrolled")
	// ErrUnknownMember: the member (or the sponsor or parent a change
	// names) was never enrolled, or is not in the snapshot queried.
	ErrUnknownMember = errors.New("hierarchy: unknown member")
	// ErrBeforeEnrollment: the change takes effect before the member's
	// enrollment, or names a sponsor or parent not yet enrolled then.
	ErrBeforeEnrollment = errors.New("hierarchy: before enrollment")
	// ErrSelfSponsor: the member would sponsor itself or be placed under
	// itself.
	ErrSelfSponsor = errors.New("hierarchy: member sponsors itself")
	// ErrNotDistributor: a retail customer would sponsor someone or be a
	// placement parent, or a retail customer would have no sponsor.
	ErrNotDistributor = errors.New("hierarchy: retail customer cannot sponsor or place")
	// ErrCycle: the change would make a member its own ancestor, in the
	// sponsor or the placement tree, at some instant, given every change
	// already recorded (including ones effective later).
	ErrCycle = errors.New("hierarchy: would make a cycle")
	// ErrRankDown: the change would make the highest rank go down over
	// time.
	ErrRankDown = errors.New("hierarchy: highest rank would go down")
	// ErrDuplicateCode: the referral code is already registered (to this or
	// another member). Codes are never reused.
	ErrDuplicateCode = errors.New("hierarchy: code already in use")
	// ErrUnknownCode: no member holds the code at the snapshot's instant.
	ErrUnknownCode = errors.New("hierarchy: unknown code")
	// ErrMalformed: a CSV or JSON change log cannot be read.
	ErrMalformed = errors.New("hierarchy: malformed change log")
)

// Error says which change a problem is at and why. Fields that do not
// apply are zero.
type Error struct {
	// Index is the position of the change in the log being built or
	// decoded (0-based), or -1 when the change did not come from a log.
	Index int
	// Line is the 1-based CSV line number, when decoding CSV.
	Line int
	// Path is the JSON path (such as "[3].effective") or the CSV column.
	Path string
	// Op, Member and Other (the sponsor, parent or code the change names)
	// identify the change.
	Op     Op
	Member string
	Other  string
	// At is the instant concerned: the change's effective instant, or the
	// instant at which a cycle would appear.
	At time.Time
	// Why explains the problem in words.
	Why string
	// Err is one of the Err* kinds above.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Err != nil {
		b.WriteString(e.Err.Error())
		b.WriteString(": ")
	}
	if e.Line > 0 {
		b.WriteString("line ")
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	if e.Index >= 0 {
		b.WriteString("change ")
		b.WriteString(strconv.Itoa(e.Index))
		b.WriteString(": ")
	}
	if e.Op != 0 {
		b.WriteString(e.Op.String())
	}
	if e.Member != "" {
		if e.Op != 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Quote(e.Member))
	}
	if e.Other != "" {
		b.WriteString(" -> ")
		b.WriteString(strconv.Quote(e.Other))
	}
	if !e.At.IsZero() {
		if e.Op != 0 || e.Member != "" || e.Other != "" {
			b.WriteByte(' ')
		}
		b.WriteString("at ")
		b.WriteString(e.At.UTC().Format(time.RFC3339Nano))
	}
	if e.Why != "" {
		if e.Op != 0 || e.Member != "" || !e.At.IsZero() {
			b.WriteString(": ")
		}
		b.WriteString(e.Why)
	}
	return strings.TrimSuffix(b.String(), ": ")
}

func (e *Error) Unwrap() error { return e.Err }
