package tokens

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"strconv"
	"testing"
	"time"
)

// benchPresets mints each preset as its endpoint would: request values
// through the contract, the user from the session.
var benchPresets = []struct {
	preset string
	cfg    Config
	user   string
	params map[string]Value
}{
	{"hms_app", Config{Key: "6365abcdef0123456789abcd", Claims: map[string][]string{"role": {"guest"}}}, "user-1234",
		map[string]Value{"room_id": S("633fcdd84208780bf665346a")}},
	{"hms_management", Config{Key: "6365abcdef0123456789abcd"}, "ops", nil},
	{"zoom_video", Config{Key: "zoom-sdk-key-0123456789"}, "user-1234",
		map[string]Value{"sessionName": S("Cool Cars"), "role": S("0"), "geoRegions": S("US,DE")}},
	{"viasocket", Config{Claims: map[string][]string{"org_id": {"8069"}, "project_id": {"projmdFTEvPR"}}}, "user-1234", nil},
	{"videosdk", Config{Key: "5cfc5cf1-4e1b-4a4a-8f8d-0123456789ab"}, "user-1234", map[string]Value{"roomId": S("2kyv-gzay-64pg")}},
	{"databridges", Config{Key: "db-app-key"}, "user-1234",
		map[string]Value{"ch": S("prs:lobby"), "sid": S("ydR27s3Z92yQw7wjGY2lX"), "dbappkey": S("db-app-key")}},
	{"jwt", Config{Claims: map[string][]string{"sub": {"user-1234"}, "scope": {"read", "write"}}, Types: map[string]Type{"scope": Strings}}, "user-1234", nil},
}

// BenchmarkMint mints one token of each preset.
func BenchmarkMint(b *testing.B) {
	for _, bp := range benchPresets {
		b.Run(bp.preset, func(b *testing.B) {
			tmpl := compile(b, bp.preset, bp.cfg)
			in := Input{User: bp.user, Request: &fakeRequest{params: bp.params}, Contract: true}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tmpl.Mint(now, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// floorInput is the hms_app token's signing input, header and payload, as
// mint builds it for the benchmark's request.
func floorPayload(dst []byte, iat int64, jti []byte) []byte {
	dst = append(dst, `{"access_key":"6365abcdef0123456789abcd","room_id":"633fcdd84208780bf665346a","user_id":"user-1234","role":"guest","type":"app","version":2,"iat":`...)
	dst = strconv.AppendInt(dst, iat, 10)
	dst = append(dst, `,"nbf":`...)
	dst = strconv.AppendInt(dst, iat, 10)
	dst = append(dst, `,"exp":`...)
	dst = strconv.AppendInt(dst, iat+86400, 10)
	dst = append(dst, `,"jti":"`...)
	dst = append(dst, jti...)
	return append(dst, `"}`...)
}

// floor builds the hms_app token's signing input by hand into reused
// buffers, then base64 and one HMAC-SHA256: the least an HS256 token of
// this size can cost, with no allocation.
type floor struct {
	mac     hash.Hash
	header  string
	jti     []byte
	payload []byte
	tok     []byte
	sum     [32]byte
}

func newFloor() *floor {
	return &floor{
		mac:     hmac.New(sha256.New, []byte(testSecret)),
		header:  base64.RawURLEncoding.EncodeToString([]byte(hs256Header)) + ".",
		jti:     []byte("6f1c6c7e-3b9e-4d3a-9d7e-0d2a2f5b9c11"),
		payload: make([]byte, 0, 512),
		tok:     make([]byte, 0, 1024),
	}
}

func (f *floor) mint() {
	f.payload = floorPayload(f.payload[:0], now.Unix(), f.jti)
	f.tok = append(f.tok[:0], f.header...)
	f.tok = base64.RawURLEncoding.AppendEncode(f.tok, f.payload)
	f.mac.Reset()
	f.mac.Write(f.tok)
	s := f.mac.Sum(f.sum[:0])
	f.tok = append(f.tok, '.')
	f.tok = base64.RawURLEncoding.AppendEncode(f.tok, s)
}

// BenchmarkFloor is the floor alone.
func BenchmarkFloor(b *testing.B) {
	f := newFloor()
	b.ReportAllocs()
	for b.Loop() {
		f.mint()
	}
}

// BenchmarkMintOverFloor interleaves blocks of hms_app mints and floor
// runs in the same benchmark, so both see the same machine, and reports
// their ratio (target: mint/floor <= 1.5). ns/op is one mint plus one floor.
func BenchmarkMintOverFloor(b *testing.B) {
	bp := benchPresets[0]
	tmpl := compile(b, bp.preset, bp.cfg)
	in := Input{User: bp.user, Request: &fakeRequest{params: bp.params}, Contract: true}
	f := newFloor()
	const block = 64
	var tMint, tFloor time.Duration
	ops := 0
	for b.Loop() {
		t0 := time.Now()
		for range block {
			f.mint()
		}
		t1 := time.Now()
		for range block {
			if _, err := tmpl.Mint(now, in); err != nil {
				b.Fatal(err)
			}
		}
		tFloor += t1.Sub(t0)
		tMint += time.Since(t1)
		ops += block
	}
	ratio := float64(tMint) / float64(tFloor)
	b.ReportMetric(ratio, "mint/floor")
	b.ReportMetric(float64(tMint.Nanoseconds())/float64(ops), "mint-ns")
	b.ReportMetric(float64(tFloor.Nanoseconds())/float64(ops), "floor-ns")
}

// BenchmarkSign compares the signing algorithms presets may use.
func BenchmarkSign(b *testing.B) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, dk, _ := ed25519.GenerateKey(rand.Reader)
	input := []byte(base64.RawURLEncoding.EncodeToString([]byte(hs256Header)) + "." +
		base64.RawURLEncoding.EncodeToString(floorPayload(nil, now.Unix(), []byte("jti"))))
	signers := []struct {
		alg string
		key crypto.Signer
	}{{"RS256", rk}, {"ES256", ek}, {"EdDSA", dk}}
	hs := mustHMAC(b, "HS256", testSecret)
	b.Run("HS256", func(b *testing.B) {
		dst := make([]byte, 0, 64)
		b.ReportAllocs()
		for b.Loop() {
			dst, _ = hs.Sign(dst[:0], input)
		}
	})
	for _, s := range signers {
		signer, err := NewAsymmetric(s.alg, s.key)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(s.alg, func(b *testing.B) {
			dst := make([]byte, 0, 512)
			b.ReportAllocs()
			for b.Loop() {
				if dst, err = signer.Sign(dst[:0], input); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var _ hash.Hash = nil
