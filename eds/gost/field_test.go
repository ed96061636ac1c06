package gost

import (
	"crypto/rand"
	"math/big"
	"testing"
)

// The Montgomery field agrees with math/big, edge values included.
func TestMontField(t *testing.T) {
	for _, c := range Curves {
		for _, m := range []*big.Int{c.P, c.Q} {
			f := newMontField(m, c.Size()/8)
			pm1 := new(big.Int).Sub(m, big.NewInt(1))
			vals := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(2), pm1, new(big.Int).Rsh(m, 1)}
			for range 20 {
				v, _ := rand.Int(rand.Reader, m)
				vals = append(vals, v)
			}
			for _, x := range vals {
				for _, y := range vals[:8] {
					xm, ym := f.fromBig(x), f.fromBig(y)
					var z fe
					f.mul(&z, &xm, &ym)
					if got, want := f.toBigPlain(&z), new(big.Int).Mod(new(big.Int).Mul(x, y), m); got.Cmp(want) != 0 {
						t.Fatalf("%s: %x·%x = %x, want %x", c.Name, x, y, got, want)
					}
					f.add(&z, &xm, &ym)
					if got, want := f.toBigPlain(&z), new(big.Int).Mod(new(big.Int).Add(x, y), m); got.Cmp(want) != 0 {
						t.Fatalf("%s: %x+%x = %x, want %x", c.Name, x, y, got, want)
					}
					f.sub(&z, &xm, &ym)
					if got, want := f.toBigPlain(&z), new(big.Int).Mod(new(big.Int).Sub(x, y), m); got.Cmp(want) != 0 {
						t.Fatalf("%s: %x-%x = %x, want %x", c.Name, x, y, got, want)
					}
				}
				if x.Sign() != 0 && m == c.P {
					xm := f.fromBig(x)
					var z fe
					f.inv(&z, &xm)
					if got, want := f.toBigPlain(&z), new(big.Int).ModInverse(x, m); got.Cmp(want) != 0 {
						t.Fatalf("%s: 1/%x wrong", c.Name, x)
					}
				}
			}
		}
	}
}
