// Package servicedesk is the ServiceDesk domain of chapter 3 of the
// legal-cadastre maintenance requirements (Order No. 1382, Appendix 1) and
// its appendix "Allotted time for processing of requests by the Operator
// employees": tickets, request types, importance levels, the Operator's
// calendar and the working-hours SLA clock. It imports neither Fyne, nor
// bbolt, nor HTTP.
package servicedesk

import (
	"fmt"
	"strings"
	"time"

	"kense/i18n"
)

// RequestType is the "№" column of the appendix: 1 to 7.
type RequestType int

// Level is a level of importance of a failure, request (rule 10).
type Level string

// The levels of rule 10, in the rule's order.
const (
	Insignificant Level = "insignificant"
	Critical      Level = "critical"
	Urgent        Level = "urgent"
	Pressing      Level = "pressing"
)

// Levels lists the levels of rule 10 in the rule's order.
var Levels = []Level{Insignificant, Critical, Urgent, Pressing}

// Reference services for registering a failure, request (rule 5).
const (
	ReferencePhone = "14-14"
	ReferenceEmail = "sd_rn@nitec.kz"
)

// TypeRow is one row of the appendix.
type TypeRow struct {
	Type RequestType
	// Name is the seed's English wording of "Type of requests".
	Name string
	// Allotted is "Allotted time for processing of requests (in work
	// hours)" per level; a level missing here is not allowed for the type.
	Allotted map[Level]int
	// AnyLevel marks type 7: the appendix gives a flat "Up to 168 hours"
	// with no level. Rule 8 still records a level for every request, so
	// every level of rule 10 is allowed and each maps to FlatHours.
	AnyLevel  bool
	FlatHours int
	// Line is the "Operator line number".
	Line int
	// Analysis says whether the row carries "(analysis of request from 30
	// minutes to 2 hours)". The seed prints it for types 1–4 and 6, not for
	// 5 and 7.
	Analysis bool
}

// AllottedTimeForProcessingOfRequests is the appendix "Allotted time for
// processing of requests by the Operator employees", row for row. It is the
// only place these figures live.
var AllottedTimeForProcessingOfRequests = []TypeRow{
	{Type: 1, Name: "Performance capability and operability",
		Allotted: map[Level]int{Insignificant: 24, Critical: 20, Urgent: 16, Pressing: 4}, Line: 2, Analysis: true},
	{Type: 2, Name: "Support of functional, business process",
		Allotted: map[Level]int{Insignificant: 24, Critical: 20, Urgent: 16, Pressing: 4}, Line: 2, Analysis: true},
	{Type: 3, Name: "Support of users' client places (consultations, education, software installation)",
		Allotted: map[Level]int{Insignificant: 24, Critical: 20, Urgent: 16, Pressing: 4}, Line: 2, Analysis: true},
	{Type: 4, Name: "Provision of uploads and reports",
		Allotted: map[Level]int{Insignificant: 24, Critical: 20, Urgent: 16, Pressing: 8}, Line: 2, Analysis: true},
	{Type: 5, Name: "Generating, deleting, change of users' passwords and accounts",
		Allotted: map[Level]int{Urgent: 8}, Line: 2},
	{Type: 6, Name: "Problems encountered during interaction between IC",
		Allotted: map[Level]int{Insignificant: 24, Critical: 20, Urgent: 16}, Line: 2, Analysis: true},
	{Type: 7, Name: "Modification of functional and correction of errors",
		AnyLevel: true, FlatHours: 168, Line: 3},
}

// The first-response window "analysis of request from 30 minutes to 2
// hours", in working time.
const (
	AnalysisMin = 30 * time.Minute
	AnalysisMax = 2 * time.Hour
)

// Types lists the request types 1–7.
func Types() []RequestType {
	out := make([]RequestType, len(AllottedTimeForProcessingOfRequests))
	for i, r := range AllottedTimeForProcessingOfRequests {
		out[i] = r.Type
	}
	return out
}

// Row finds the appendix row of type t.
func Row(t RequestType) (TypeRow, bool) {
	for _, r := range AllottedTimeForProcessingOfRequests {
		if r.Type == t {
			return r, true
		}
	}
	return TypeRow{}, false
}

// Valid reports whether l is a level of rule 10.
func (l Level) Valid() bool {
	for _, x := range Levels {
		if x == l {
			return true
		}
	}
	return false
}

// AllowedLevels lists the levels the appendix allows for type t, in rule
// 10's order; nil for an unknown type.
func AllowedLevels(t RequestType) []Level {
	r, ok := Row(t)
	if !ok {
		return nil
	}
	var out []Level
	for _, l := range Levels {
		if _, ok := r.Allotted[l]; ok || r.AnyLevel {
			out = append(out, l)
		}
	}
	return out
}

// Allotted is the working time the appendix allots to a request of type t
// and level l.
func Allotted(t RequestType, l Level) (time.Duration, error) {
	r, ok := Row(t)
	if !ok {
		return 0, Problem{Field: "type", Key: "sd.err.type", Args: []any{"type", int(t)}}
	}
	if !l.Valid() {
		return 0, Problem{Field: "level", Key: "sd.err.level", Args: []any{"level", string(l)}}
	}
	if r.AnyLevel {
		return time.Duration(r.FlatHours) * time.Hour, nil
	}
	h, ok := r.Allotted[l]
	if !ok {
		return 0, Problem{Field: "level", Key: "sd.err.levelNotAllowed", Args: []any{"type", int(t), "level", l}}
	}
	return time.Duration(h) * time.Hour, nil
}

// OperatorLine is the "Operator line number" of type t (0 if unknown).
func OperatorLine(t RequestType) int {
	r, _ := Row(t)
	return r.Line
}

// FirstResponse is the window for the analysis of a request of type t; ok
// is false for the types whose row does not carry it (5 and 7).
func FirstResponse(t RequestType) (min, max time.Duration, ok bool) {
	r, found := Row(t)
	if !found || !r.Analysis {
		return 0, 0, false
	}
	return AnalysisMin, AnalysisMax, true
}

// ParseLevel reads a level by its code ("urgent") or by its name in any of
// the catalogue's languages ("срочный", "шұғыл"), ignoring case.
func ParseLevel(s string) (Level, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, l := range Levels {
		if s == string(l) {
			return l, true
		}
		for _, lang := range i18n.Langs {
			if s == strings.ToLower(i18n.TL(lang, LevelKey(l))) {
				return l, true
			}
		}
	}
	return "", false
}

// TypeKey is the i18n key of type t's name; LevelKey and LevelHelpKey those
// of a level's name and of rule 10's definition shown as help.
func TypeKey(t RequestType) string { return fmt.Sprintf("sd.type.%d", int(t)) }
func LevelKey(l Level) string      { return "sd.level." + string(l) }
func LevelHelpKey(l Level) string  { return "sd.level." + string(l) + ".help" }
