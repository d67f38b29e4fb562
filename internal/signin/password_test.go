package signin

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

// cheapParams keep tests fast; DefaultParams get one test and the benchmarks.
var cheapParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerifyRoundTrip(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(cheapParams, 2, nil)
	enc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	shape := regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !shape.MatchString(enc) {
		t.Fatalf("hash %q does not have the PHC shape", enc)
	}

	ok, rehash, err := h.Verify(ctx, "correct horse battery staple", enc)
	if err != nil || !ok || rehash {
		t.Fatalf("right password: ok=%v rehash=%v err=%v, want true false nil", ok, rehash, err)
	}
	for _, wrong := range []string{"correct horse battery stapl", "Correct horse battery staple", ""} {
		ok, rehash, err := h.Verify(ctx, wrong, enc)
		if err != nil || ok || rehash {
			t.Errorf("wrong password %q: ok=%v rehash=%v err=%v, want false false nil", wrong, ok, rehash, err)
		}
	}

	again, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if again == enc {
		t.Error("two hashes of one password are equal: salts are not fresh")
	}
}

func TestHashReadsSaltFromInjectedRand(t *testing.T) {
	salt := []byte("0123456789abcdef")
	h := NewHasher(cheapParams, 1, bytes.NewReader(salt))
	enc, err := h.Hash(context.Background(), "pw")
	if err != nil {
		t.Fatal(err)
	}
	if want := "$" + b64.EncodeToString(salt) + "$"; !strings.Contains(enc, want) {
		t.Errorf("hash %q does not carry the injected salt %q", enc, want)
	}
	// The reader is now empty: the next hash must fail, not use a weak salt.
	if _, err := h.Hash(context.Background(), "pw"); err == nil {
		t.Error("Hash with an exhausted rand succeeded")
	}
}

// Hashes made by the reference implementation's CLI (Debian package argon2,
// `echo -n PW | argon2 SALT -id -t T -k M -p P -l L -e`), so the format and
// the derivation are checked against an independent implementation.
var referenceHashes = []struct {
	password, encoded string
	params            Params
}{
	{"hunter2hunter2", "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$AOibD2LZ8Hxsbz0Sz0YI6B1RDStg/zBxWvA9KN6bick",
		DefaultParams()},
	{"hunter2hunter2", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$Wo+uvSIVPLyh2qFx/p+9iB8n8FShjfa1UwoLVB7arMM",
		Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}},
	{"pässwörd", "$argon2id$v=19$m=256,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$bg6pxi2dV3KUrLYlcZtXwg",
		Params{Memory: 256, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 16}},
}

func TestVerifyReferenceHashes(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(DefaultParams(), 1, nil)
	for _, tc := range referenceHashes {
		ok, rehash, err := h.Verify(ctx, tc.password, tc.encoded)
		wantRehash := tc.params != DefaultParams()
		if err != nil || !ok || rehash != wantRehash {
			t.Errorf("%s: ok=%v rehash=%v err=%v, want true %v nil", tc.encoded, ok, rehash, err, wantRehash)
		}
		if ok, _, _ := h.Verify(ctx, tc.password+"x", tc.encoded); ok {
			t.Errorf("%s: wrong password accepted", tc.encoded)
		}
		p, salt, key, err := decodeHash(tc.encoded)
		if err != nil || p != tc.params {
			t.Errorf("%s: decoded %+v, %v; want %+v", tc.encoded, p, err, tc.params)
		}
		if got := encodeHash(p, salt, key); got != tc.encoded {
			t.Errorf("re-encoded as %s", got)
		}
	}
}

// The one test of a full-cost hash with the parameters production uses.
func TestHashDefaultParams(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(DefaultParams(), 1, nil)
	enc, err := h.Hash(ctx, "hunter2hunter2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q does not carry the OWASP parameters", enc)
	}
	if ok, rehash, err := h.Verify(ctx, "hunter2hunter2", enc); err != nil || !ok || rehash {
		t.Errorf("ok=%v rehash=%v err=%v", ok, rehash, err)
	}
}

func TestVerifyNeedsRehashWhenParamsChange(t *testing.T) {
	ctx := context.Background()
	enc, err := NewHasher(cheapParams, 1, nil).Hash(ctx, "pw-from-2024")
	if err != nil {
		t.Fatal(err)
	}
	changes := map[string]func(*Params){
		"memory":  func(p *Params) { p.Memory *= 2 },
		"time":    func(p *Params) { p.Time++ },
		"threads": func(p *Params) { p.Threads++ },
		"salt":    func(p *Params) { p.SaltLen = 32 },
		"key":     func(p *Params) { p.KeyLen = 64 },
	}
	for name, change := range changes {
		p := cheapParams
		change(&p)
		h := NewHasher(p, 1, nil)
		ok, rehash, err := h.Verify(ctx, "pw-from-2024", enc)
		if err != nil || !ok || !rehash {
			t.Errorf("%s changed: ok=%v rehash=%v err=%v, want true true nil", name, ok, rehash, err)
		}
		// A wrong password never asks for a rehash: there is nothing to store.
		if ok, rehash, _ := h.Verify(ctx, "wrong", enc); ok || rehash {
			t.Errorf("%s changed, wrong password: ok=%v rehash=%v", name, ok, rehash)
		}
	}
}

func TestVerifyMalformed(t *testing.T) {
	const salt, key = "c29tZXNhbHRzb21lc2FsdA", "Wo+uvSIVPLyh2qFx/p+9iB8n8FShjfa1UwoLVB7arMM"
	good := "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key
	cases := map[string]string{
		"empty":              "",
		"plain text":         "hunter2",
		"bcrypt":             "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":            strings.Replace(good, "argon2id", "argon2i", 1),
		"argon2d":            strings.Replace(good, "argon2id", "argon2d", 1),
		"version 16":         strings.Replace(good, "v=19", "v=16", 1),
		"no version":         "$argon2id$m=64,t=1,p=1$" + salt + "$" + key,
		"no leading $":       good[1:],
		"trailing $":         good + "$",
		"extra field":        "$argon2id$v=19$m=64,t=1,p=1$keyid=1$" + salt + "$" + key,
		"params reordered":   "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key,
		"param missing":      "$argon2id$v=19$m=64,t=1$" + salt + "$" + key,
		"param extra":        "$argon2id$v=19$m=64,t=1,p=1,data=abc$" + salt + "$" + key,
		"leading zero":       "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key,
		"sign":               "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key,
		"empty param":        "$argon2id$v=19$m=,t=1,p=1$" + salt + "$" + key,
		"threads 0":          "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key,
		"threads 256":        "$argon2id$v=19$m=64,t=1,p=256$" + salt + "$" + key,
		"time 0":             "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key,
		"time huge":          "$argon2id$v=19$m=64,t=4294967295,p=1$" + salt + "$" + key,
		"memory below 8×p":   "$argon2id$v=19$m=7,t=1,p=1$" + salt + "$" + key,
		"memory 4 TiB":       "$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key,
		"memory overflow":    "$argon2id$v=19$m=4294967296,t=1,p=1$" + salt + "$" + key,
		"salt 4 bytes":       "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + key,
		"salt empty":         "$argon2id$v=19$m=64,t=1,p=1$$" + key,
		"key 8 bytes":        "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$a2V5a2V5a2U",
		"key empty":          "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$",
		"padded base64":      "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key,
		"url base64":         "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.ReplaceAll(key, "+", "-"),
		"not base64":         "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key[:20] + "!" + key[21:],
		"non-canonical bits": "$argon2id$v=19$m=64,t=1,p=1$" + salt[:len(salt)-1] + "B$" + key,
		"spaces":             " " + good,
		"line break":         "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$\n" + key,
		"trailing newline":   good + "\n",
	}
	h := NewHasher(cheapParams, 1, nil)
	for name, enc := range cases {
		ok, rehash, err := h.Verify(context.Background(), "hunter2hunter2", enc)
		if !errors.Is(err, ErrMalformedHash) || ok || rehash {
			t.Errorf("%s (%q): ok=%v rehash=%v err=%v, want ErrMalformedHash", name, enc, ok, rehash, err)
		}
	}
	if ok, _, err := h.Verify(context.Background(), "hunter2hunter2", good); err != nil || !ok {
		t.Fatalf("control case fails: ok=%v err=%v", ok, err)
	}
}

// FuzzDecodeHash checks the parser never panics and accepts only the
// canonical form: whatever it accepts, it writes back unchanged.
func FuzzDecodeHash(f *testing.F) {
	for _, tc := range referenceHashes {
		f.Add(tc.encoded)
	}
	f.Add("$argon2id$v=19$m=064,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$c29tZXNhbHRzb21lc2FsdA")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$$")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := decodeHash(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("error %v does not wrap ErrMalformedHash", err)
			}
			return
		}
		if err := p.validate(); err != nil {
			t.Fatalf("accepted out-of-range params %+v: %v", p, err)
		}
		if got := encodeHash(p, salt, key); got != s {
			t.Fatalf("accepted %q, which re-encodes as %q", s, got)
		}
	})
}

func TestNewHasherRefusesBadParams(t *testing.T) {
	bad := map[string]Params{
		"zero":        {},
		"no threads":  {Memory: 64, Time: 1, SaltLen: 16, KeyLen: 32},
		"short salt":  {Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32},
		"short key":   {Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8},
		"huge memory": {Memory: 1<<20 + 1, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
	}
	for name, p := range bad {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: NewHasher(%+v) did not panic", name, p)
				}
			}()
			NewHasher(p, 1, nil)
		}()
	}
}

// blockingDerive replaces argon2 in h with a function that records how many
// derivations run at once and holds each until release is closed.
type blockingDerive struct {
	inFlight, maxInFlight, calls atomic.Int32
	lastMemory                   atomic.Uint32
	release                      chan struct{}
}

func (b *blockingDerive) install(h *Hasher) {
	b.release = make(chan struct{})
	h.derive = func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		b.calls.Add(1)
		b.lastMemory.Store(memory)
		n := b.inFlight.Add(1)
		for {
			m := b.maxInFlight.Load()
			if n <= m || b.maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		<-b.release
		b.inFlight.Add(-1)
		return argon2.IDKey(password, salt, time, memory, threads, keyLen)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestHasherBoundsConcurrentHashes(t *testing.T) {
	const limit, callers = 3, 12
	h := NewHasher(cheapParams, limit, nil)
	var d blockingDerive
	d.install(h)
	enc, err := NewHasher(cheapParams, 1, nil).Hash(context.Background(), "pw")
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	errs := make(chan error, callers)
	for i := range callers {
		wg.Go(func() {
			var err error
			switch i % 3 { // Hash, Verify and VerifyDummy share the bound
			case 0:
				_, err = h.Hash(context.Background(), "pw")
			case 1:
				_, _, err = h.Verify(context.Background(), "pw", enc)
			default:
				h.VerifyDummy(context.Background(), "pw")
			}
			errs <- err
		})
	}
	waitFor(t, "the semaphore to fill", func() bool { return d.inFlight.Load() == limit })
	time.Sleep(20 * time.Millisecond) // give a wrongly admitted caller time to show up
	if got := d.inFlight.Load(); got != limit {
		t.Fatalf("%d hashes in flight, limit %d", got, limit)
	}
	close(d.release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := d.maxInFlight.Load(); got != limit {
		t.Errorf("max in flight %d, want %d", got, limit)
	}
	if got := d.calls.Load(); got != callers {
		t.Errorf("%d derivations, want %d", got, callers)
	}
}

func TestHasherWaitRespectsContext(t *testing.T) {
	h := NewHasher(cheapParams, 1, nil)
	var d blockingDerive
	d.install(h)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := h.Hash(context.Background(), "first"); err != nil {
			t.Error(err)
		}
	}()
	waitFor(t, "the first hash to start", func() bool { return d.inFlight.Load() == 1 })

	// Cancelled while waiting for the slot.
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan error, 1)
	go func() { _, err := h.Hash(ctx, "second"); got <- err }()
	time.Sleep(10 * time.Millisecond)
	cancel()
	select {
	case err := <-got:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Hash after cancel: %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Hash did not return after its context was cancelled")
	}

	// A deadline that passes while waiting, for Verify and VerifyDummy too.
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, _, err := h.Verify(ctx, "x", "$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$Wo+uvSIVPLyh2qFx/p+9iB8n8FShjfa1UwoLVB7arMM"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Verify past deadline: %v, want context.DeadlineExceeded", err)
	}
	h.VerifyDummy(ctx, "x") // must return, not block

	// An already cancelled context never starts a hash, even with a free slot.
	close(d.release)
	<-done
	before := d.calls.Load()
	if _, err := h.Hash(ctx, "late"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Hash with expired ctx: %v", err)
	}
	if d.calls.Load() != before {
		t.Error("a hash ran for an expired context")
	}
}

func TestVerifyDummyDoesTheSameWork(t *testing.T) {
	p := cheapParams
	p.Memory = 128
	h := NewHasher(p, 1, nil)
	var d blockingDerive
	d.install(h)
	close(d.release)
	h.VerifyDummy(context.Background(), "anything")
	if d.calls.Load() != 1 || d.lastMemory.Load() != p.Memory {
		t.Errorf("VerifyDummy ran %d derivations with %d KiB, want 1 with %d KiB",
			d.calls.Load(), d.lastMemory.Load(), p.Memory)
	}
	// And the dummy is a hash Verify accepts with h's parameters.
	if _, rehash, err := h.Verify(context.Background(), "anything", h.dummy); err != nil || rehash {
		t.Errorf("dummy hash %q: rehash=%v err=%v", h.dummy, rehash, err)
	}
}

// BenchmarkArgon2idBare is the floor: argon2id with DefaultParams and
// nothing around it. Compare BenchmarkHasherHash (and a later sign-in
// benchmark) with it.
func BenchmarkArgon2idBare(b *testing.B) {
	p := DefaultParams()
	pw, salt := []byte("correct horse battery staple"), make([]byte, p.SaltLen)
	b.ReportAllocs()
	for b.Loop() {
		argon2.IDKey(pw, salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	}
}

func BenchmarkHasherHash(b *testing.B) {
	h := NewHasher(DefaultParams(), 0, nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHasherVerify(b *testing.B) {
	h := NewHasher(DefaultParams(), 0, nil)
	ctx := context.Background()
	enc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _, err := h.Verify(ctx, "correct horse battery staple", enc); err != nil || !ok {
			b.Fatal(ok, err)
		}
	}
}
