// Package form is the application for operations on RER SDB user accounts:
// the "Application Form" appended to the legal-cadastre access rules
// (Order No. 1382, Appendix 2). It holds the data, the seed's tables and the
// validation rules; it imports neither Fyne, nor bbolt, nor HTTP.
package form

// Form is one application. Its JSON shape is a public contract (README):
// extend it, never rename a field.
type Form struct {
	// ID identifies the document (drafts, QR code). Optional in files.
	ID string `json:"id,omitempty"`
	// Subunit is the full name of the structural subunit.
	Subunit string `json:"subunit"`
	// Date of filing, YYYY-MM-DD.
	Date string `json:"date"`
	// AttachmentPages is N in "Attachment on N pages".
	AttachmentPages int   `json:"attachmentPages"`
	Head            Head  `json:"head"`
	Rows            []Row `json:"rows"`
}

// Head is the head of the structural subunit who signs the application.
type Head struct {
	Position string `json:"position"`
	FullName string `json:"fullName"`
}

// Row is one line of the "Application for performing operations" table.
type Row struct {
	FullName     string   `json:"fullName"`
	IIN          string   `json:"iin"`
	IP           string   `json:"ip"`
	UserType     int      `json:"userType"`
	Operation    int      `json:"operation"`
	AccessLevels []string `json:"accessLevels"`
	Position     string   `json:"position"`
	// OrderFile is the scanned order (employment, dismissal), relative to
	// the JSON file it was read from.
	OrderFile string `json:"orderFile,omitempty"`
}
