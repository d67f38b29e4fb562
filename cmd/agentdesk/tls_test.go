package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/internal/store/storetest"
)

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files
// and returns their paths and the pool that trusts the certificate.
func selfSigned(t *testing.T, dir, name string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeTLS: with a certificate and key, serve speaks HTTPS with HTTP/2,
// refuses TLS below 1.2 and plain HTTP, and tells browsers to keep to
// HTTPS; the public URL it derives is https.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSigned(t, dir, "agentdesk")
	dbURL, err := storetest.URL(t)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, done := startServe(t, ctx, func(string) bool { return true },
		"--migrate", "--addr", "127.0.0.1:0", "--database", dbURL,
		"--tls-cert", certFile, "--tls-key", keyFile)

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool},
		ForceAttemptHTTP2: true,
	}}
	var res *http.Response
	for range 100 {
		if res, err = client.Get("https://" + addr + "/readyz"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("https readyz: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(body) != "ready\n" {
		t.Fatalf("readyz: %d %q", res.StatusCode, body)
	}
	if res.ProtoMajor != 2 {
		t.Errorf("protocol %s, want HTTP/2", res.Proto)
	}
	if res.TLS == nil || res.TLS.Version < tls.VersionTLS12 {
		t.Errorf("TLS state %+v", res.TLS)
	}
	if got := res.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("Strict-Transport-Security = %q", got)
	}

	// TLS 1.1 is refused in the handshake.
	old := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11},
	}}
	if res, err := old.Get("https://" + addr + "/healthz"); err == nil {
		res.Body.Close()
		t.Error("a TLS 1.1 client was served")
	}
	// A TLS 1.2 client offering only a CBC suite finds nothing in common.
	cbc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}},
	}}
	if res, err := cbc.Get("https://" + addr + "/healthz"); err == nil {
		res.Body.Close()
		t.Error("a CBC cipher suite was accepted")
	}
	// Plain HTTP on the TLS port gets no page.
	if res, err := http.Get("http://" + addr + "/healthz"); err == nil {
		res.Body.Close()
		if res.StatusCode == http.StatusOK {
			t.Error("plain HTTP was served")
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not shut down")
	}
}

func TestServeTLSConfigErrors(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir, "one")
	otherCert, _, _ := selfSigned(t, dir, "two")
	// Never opened: the TLS settings are checked first.
	dbURL, err := storetest.URL(t)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name       string
		args       []string
		wantErrSub string
	}{
		{"cert without key", []string{"--tls-cert", certFile}, "needs both"},
		{"key without cert", []string{"--tls-key", keyFile}, "needs both"},
		{"missing file", []string{"--tls-cert", filepath.Join(dir, "nope.crt"), "--tls-key", keyFile}, "TLS certificate"},
		{"key of another certificate", []string{"--tls-cert", otherCert, "--tls-key", keyFile}, "private key does not match"},
		{"malformed trusted proxy", []string{"--trusted-proxies", "10.0.0.0/8,lb.internal"}, `"lb.internal" is not a CIDR`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--database", dbURL}, tc.args...)
			err := run(t.Context(), args, nil, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.wantErrSub) {
				t.Fatalf("serve %v: %v, want an error with %q", tc.args, err, tc.wantErrSub)
			}
		})
	}
}

// TestCertificateReload: a renewed certificate is served without a restart.
func TestCertificateReload(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, _ := selfSigned(t, dir, "first")
	cfg, err := serverTLS(certFile, keyFile, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c := &certFiles{cert: certFile, key: keyFile, log: slog.New(slog.DiscardHandler), now: func() time.Time { return now }}
	if err := c.load(); err != nil {
		t.Fatal(err)
	}
	subject := func() string {
		crt, err := c.get(nil)
		if err != nil {
			t.Fatal(err)
		}
		leaf, err := x509.ParseCertificate(crt.Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		return leaf.Subject.CommonName
	}
	if got := subject(); got != "first" {
		t.Fatalf("serving %q", got)
	}
	// Renewal: new files in place (a later modification time).
	newCert, newKey, _ := selfSigned(t, dir, "second")
	later := time.Now().Add(time.Second)
	for _, p := range [][2]string{{newCert, certFile}, {newKey, keyFile}} {
		if err := os.Rename(p[0], p[1]); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p[1], later, later); err != nil {
			t.Fatal(err)
		}
	}
	now = now.Add(recheck / 2)
	if got := subject(); got != "first" {
		t.Fatalf("reloaded before the recheck interval: %q", got)
	}
	now = now.Add(recheck)
	if got := subject(); got != "second" {
		t.Fatalf("after renewal serving %q", got)
	}
	// A broken renewal keeps the working certificate.
	if err := os.WriteFile(keyFile, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(keyFile, later.Add(time.Second), later.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	now = now.Add(recheck)
	if got := subject(); got != "second" {
		t.Fatalf("after a broken renewal serving %q", got)
	}
	if cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion %x", cfg.MinVersion)
	}
}
