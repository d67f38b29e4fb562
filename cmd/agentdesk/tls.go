package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// serverTLS is the TLS configuration of `serve` with AGENTDESK_TLS_CERT and
// AGENTDESK_TLS_KEY, for deployments without a TLS-terminating proxy:
// TLS 1.2 at least, and for 1.2 only forward-secret AEAD suites (Mozilla's
// "intermediate" profile; TLS 1.3 suites are not configurable and all
// modern). HTTP/2 is offered by http.Server.ServeTLS. Key exchange groups
// are Go's defaults, which include the post-quantum hybrid X25519MLKEM768.
//
// The certificate is read at start, so a wrong path or a key that does not
// match fails there, and again when its files change (checked at most once
// a minute), so a renewed certificate is served without a restart.
func serverTLS(certFile, keyFile string, log *slog.Logger) (*tls.Config, error) {
	switch {
	case certFile == "" && keyFile == "":
		return nil, nil
	case certFile == "" || keyFile == "":
		return nil, errors.New("TLS needs both AGENTDESK_TLS_CERT and AGENTDESK_TLS_KEY (--tls-cert, --tls-key)")
	}
	c := &certFiles{cert: certFile, key: keyFile, log: log, now: time.Now}
	if err := c.load(); err != nil {
		return nil, err
	}
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
		GetCertificate: c.get,
	}, nil
}

// certFiles serves a certificate and key from files, reloading them when
// their modification times change.
type certFiles struct {
	cert, key string
	log       *slog.Logger
	now       func() time.Time

	mu              sync.Mutex
	current         *tls.Certificate
	certMod, keyMod time.Time
	checked         time.Time
}

// recheck is how often the files' modification times are looked at.
const recheck = time.Minute

func (c *certFiles) load() error {
	cm, km, err := c.modTimes()
	if err != nil {
		return err
	}
	pair, err := tls.LoadX509KeyPair(c.cert, c.key)
	if err != nil {
		return fmt.Errorf("TLS certificate %s with key %s: %w", c.cert, c.key, err)
	}
	c.current, c.certMod, c.keyMod = &pair, cm, km
	return nil
}

func (c *certFiles) modTimes() (time.Time, time.Time, error) {
	ci, err := os.Stat(c.cert)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("TLS certificate: %w", err)
	}
	ki, err := os.Stat(c.key)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("TLS key: %w", err)
	}
	return ci.ModTime(), ki.ModTime(), nil
}

func (c *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := c.now(); now.Sub(c.checked) >= recheck {
		c.checked = now
		cm, km, err := c.modTimes()
		if err == nil && (!cm.Equal(c.certMod) || !km.Equal(c.keyMod)) {
			err = c.load()
			if err == nil {
				c.log.Info("TLS certificate reloaded", "cert", c.cert)
			}
		}
		if err != nil {
			// Half-written renewal or a removed file: keep serving the
			// certificate that worked and say so.
			c.log.Error("TLS certificate not reloaded; serving the previous one", "err", err)
		}
	}
	return c.current, nil
}
