package loadtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/agentdesk/agentdesk/internal/loadtest"
	"github.com/agentdesk/agentdesk/internal/testserver"
)

// TestShortSoak runs the mixed load briefly against the real server: every
// request must succeed. `agentdesk bench` runs the same load for longer.
func TestShortSoak(t *testing.T) {
	s := testserver.New(t)
	cfg, err := loadtest.Seed(context.Background(), s.HTTP.URL, testserver.AdminEmail, testserver.AdminPassword, 6)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Duration, cfg.AdminWorkers, cfg.OptionsWorkers = 2*time.Second, 1, 1
	res, err := loadtest.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range res.Ops {
		if op.Errors > 0 {
			t.Errorf("%s: %d of %d failed, first: %s", op.Name, op.Errors, op.Requests, op.FirstErr)
		}
	}
	if res.Requests < 50 {
		t.Fatalf("only %d requests in the run", res.Requests)
	}
}
