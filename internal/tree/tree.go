// Package tree holds the layout of a hierarchy.Genealogy, so that code
// outside package hierarchy that must be fast over a large genealogy —
// commission.Engine.CalculateEach reading ahead for the next orders — can
// reach it without hierarchy exporting anything for that purpose.
// hierarchy.Genealogy is defined as a Genealogy, so such code converts a
// *hierarchy.Genealogy to a *Genealogy; package hierarchy alone changes
// one, and alone gives its fields meaning (see hierarchy/genealogy.go).
package tree

import (
	"sync/atomic"

	"github.com/uplinehq/upline/internal/strtab"
)

// Genealogy is the member tree as flat, pointer-free slices indexed by
// member (dense int32s in enrollment order).
type Genealogy struct {
	IDs strtab.Table // member ids; entry i is member i

	// Per member. An upline walk reads Nodes only; the rest are parallel
	// slices it does not touch.
	Nodes     []Node
	Ext       []int32 // index+1 into Exts, 0 when nothing changed since enrollment
	EnrollAt  []int64 // effective instant of the enrollment
	EnrollSeq []int32 // position of the enrollment in the log
	Parents   []int32 // placement parent at enrollment, -1 none
	Legs      []uint16

	// Changes after enrollment: a member with any has Ext > 0 and one
	// span per attribute into Recs, sorted by (effective, seq).
	Exts  []Ext
	Recs  []Rec
	Waste int // records in abandoned spans

	// Every member that was ever a sponsor's child, as linked lists in
	// flat arrays: Head[m] is m's first edge+1.
	Head  []int32
	Edges []Edge

	Codes     strtab.Table // referral codes; entry i is code i
	CodeInfos []CodeInfo

	RecAt []int64 // recorded instant of each change, by seq

	// AsOf remembers the last knowledge instant SnapshotAsOf cut the log
	// at, for a log of the length it then had.
	AsOf atomic.Pointer[AsOfCut]
}

// AsOfCut is a cut of the log at knowledge instant Known, when the log
// held Changes changes.
type AsOfCut struct {
	Known   int64
	Changes int
	Cut, N  int32
}

// Node is a member's enrollment sponsor (-1 for a root; Moved(s) once the
// sponsor changes later) and its state: 12 bytes.
type Node struct {
	Sponsor int32
	State   State
}

// State is a member's status and ranks at enrollment, its kind, and
// whether its status or ranks change later.
type State struct {
	PaidAs, Highest uint16
	Status          uint8
	Bits            uint8 // kind | StatusChanges | RanksChanges
}

// State.Bits.
const (
	KindMask      = 3
	StatusChanges = 1 << 6
	RanksChanges  = 1 << 7
)

// Moved encodes the enrollment sponsor s (-1 for a root) of a member whose
// sponsor changes later, as -3-s: always below -1, so that a walk tells
// "look at the history" from a sponsor or a root with one comparison.
// Moved is its own inverse.
func Moved(s int32) int32 { return -3 - s }

// EnrollSponsor returns m's sponsor at enrollment, -1 for a root.
func (g *Genealogy) EnrollSponsor(m int32) int32 {
	s := g.Nodes[m].Sponsor
	if s < -1 {
		s = Moved(s)
	}
	return s
}

// NAttr is the number of attributes with a history.
const NAttr = 4

// Rec is one change of an attribute after enrollment.
type Rec struct {
	Eff  int64
	Seq  int32
	A, B int32
}

// Span is where one member's history of one attribute is in Recs.
type Span struct{ Off, N, Cap uint32 }

// Ext is a member's spans, one per attribute.
type Ext struct{ Sp [NAttr]Span }

// Edge is one link of a sponsor's list of children.
type Edge struct{ Child, Next int32 }

// CodeInfo is what resolving a referral code needs, in 16 bytes.
type CodeInfo struct {
	At     int64 // effective instant
	Member int32
	Seq    int32 // position in the log
}
