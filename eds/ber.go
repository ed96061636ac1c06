package eds

import (
	"errors"
	"fmt"
)

// NCA's key files and NCALayer's CMS are BER: indefinite lengths and
// constructed (chunked) strings. encoding/asn1 and crypto/x509 want DER, so
// everything from outside passes through berToDER first. The normaliser only
// rewrites lengths and joins constructed universal strings; it does not sort
// SET OF or re-encode content, which is enough for the structures read here.

const maxBERDepth = 64

var errBER = errors.New("malformed BER")

// berNode is one parsed TLV.
type berNode struct {
	class       byte // 0 universal, 1 application, 2 context, 3 private
	constructed bool
	tag         int
	content     []byte // primitive content
	children    []*berNode
	nonDER      bool // indefinite or non-minimal length: der() must rewrite it
}

// parseBER reads one TLV from b and returns it with the bytes after it.
func parseBER(b []byte) (*berNode, []byte, error) { return parseBERDepth(b, 0) }

func parseBERDepth(b []byte, depth int) (*berNode, []byte, error) {
	if depth > maxBERDepth {
		return nil, nil, fmt.Errorf("%w: nested too deep", errBER)
	}
	if len(b) < 2 {
		return nil, nil, fmt.Errorf("%w: truncated", errBER)
	}
	n := &berNode{class: b[0] >> 6, constructed: b[0]&0x20 != 0, tag: int(b[0] & 0x1f)}
	i := 1
	if n.tag == 0x1f { // high tag number form
		n.tag = 0
		for {
			if i >= len(b) || i > 4 {
				return nil, nil, fmt.Errorf("%w: bad tag", errBER)
			}
			c := b[i]
			i++
			n.tag = n.tag<<7 | int(c&0x7f)
			if c&0x80 == 0 {
				break
			}
		}
	}
	if i >= len(b) {
		return nil, nil, fmt.Errorf("%w: truncated", errBER)
	}
	l := int(b[i])
	i++
	if l == 0x80 { // indefinite: children until end-of-contents
		n.nonDER = true
		if !n.constructed {
			return nil, nil, fmt.Errorf("%w: indefinite primitive", errBER)
		}
		rest := b[i:]
		for {
			if len(rest) >= 2 && rest[0] == 0 && rest[1] == 0 {
				return n, rest[2:], nil
			}
			c, r, err := parseBERDepth(rest, depth+1)
			if err != nil {
				return nil, nil, err
			}
			n.children = append(n.children, c)
			rest = r
		}
	}
	if l > 0x80 {
		k := l & 0x7f
		if k > 4 || i+k > len(b) {
			return nil, nil, fmt.Errorf("%w: bad length", errBER)
		}
		l = 0
		for j := 0; j < k; j++ {
			l = l<<8 | int(b[i+j])
		}
		if b[i] == 0 || l < 0x80 {
			n.nonDER = true
		}
		i += k
		if l < 0 {
			return nil, nil, fmt.Errorf("%w: bad length", errBER)
		}
	}
	if l > len(b)-i {
		return nil, nil, fmt.Errorf("%w: length %d beyond data", errBER, l)
	}
	body := b[i : i+l]
	rest := b[i+l:]
	if !n.constructed {
		n.content = body
		return n, rest, nil
	}
	for len(body) > 0 {
		c, r, err := parseBERDepth(body, depth+1)
		if err != nil {
			return nil, nil, err
		}
		n.children = append(n.children, c)
		body = r
	}
	return n, rest, nil
}

// isStringTag reports universal types whose BER may be chunked (constructed).
func isStringTag(tag int) bool {
	switch tag {
	case 3, 4, 12, 19, 20, 22, 26, 30: // BIT, OCTET, UTF8, Printable, T61, IA5, Visible, BMP
		return true
	}
	return false
}

// octets returns a string node's content, joining chunks of a constructed
// string (also under an implicit context tag, as in EncryptedContentInfo).
func (n *berNode) octets() ([]byte, error) {
	if !n.constructed {
		return n.content, nil
	}
	var out []byte
	for _, c := range n.children {
		b, err := c.octets()
		if err != nil {
			return nil, err
		}
		out = append(out, b...)
	}
	return out, nil
}

// der serialises the node with definite lengths.
func (n *berNode) der() []byte {
	if n.constructed && n.class == 0 && isStringTag(n.tag) {
		b, _ := n.octets()
		if n.tag == 3 { // bit string chunks: keep the first unused-bits byte only
			b = joinBitString(n)
		}
		return appendTLV(nil, n.class, false, n.tag, b)
	}
	if !n.constructed {
		return appendTLV(nil, n.class, false, n.tag, n.content)
	}
	var body []byte
	for _, c := range n.children {
		body = append(body, c.der()...)
	}
	return appendTLV(nil, n.class, true, n.tag, body)
}

func joinBitString(n *berNode) []byte {
	var out []byte
	var last byte
	var walk func(*berNode)
	walk = func(m *berNode) {
		if m.constructed {
			for _, c := range m.children {
				walk(c)
			}
			return
		}
		if len(m.content) > 0 {
			last = m.content[0]
			out = append(out, m.content[1:]...)
		}
	}
	walk(n)
	return append([]byte{last}, out...)
}

func appendTLV(dst []byte, class byte, constructed bool, tag int, body []byte) []byte {
	first := class << 6
	if constructed {
		first |= 0x20
	}
	if tag < 0x1f {
		dst = append(dst, first|byte(tag))
	} else {
		dst = append(dst, first|0x1f)
		var t []byte
		for v := tag; ; v >>= 7 {
			t = append([]byte{byte(v & 0x7f)}, t...)
			if v < 0x80 {
				break
			}
		}
		for i := 0; i < len(t)-1; i++ {
			t[i] |= 0x80
		}
		dst = append(dst, t...)
	}
	return append(appendLength(dst, len(body)), body...)
}

func appendLength(dst []byte, l int) []byte {
	switch {
	case l < 0x80:
		return append(dst, byte(l))
	case l < 0x100:
		return append(dst, 0x81, byte(l))
	case l < 0x10000:
		return append(dst, 0x82, byte(l>>8), byte(l))
	case l < 0x1000000:
		return append(dst, 0x83, byte(l>>16), byte(l>>8), byte(l))
	}
	return append(dst, 0x84, byte(l>>24), byte(l>>16), byte(l>>8), byte(l))
}

// isDER reports whether der() would give the node's bytes unchanged.
func (n *berNode) isDER() bool {
	if n.nonDER || (n.constructed && n.class == 0 && isStringTag(n.tag)) {
		return false
	}
	for _, c := range n.children {
		if !c.isDER() {
			return false
		}
	}
	return true
}

// berToDER normalises one BER element (trailing bytes are an error). Input
// that is DER already comes back as it is, without copying.
func berToDER(b []byte) ([]byte, error) {
	n, rest, err := parseBER(b)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", errBER, len(rest))
	}
	if n.isDER() {
		return b, nil
	}
	return n.der(), nil
}
