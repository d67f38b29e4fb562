package graph_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/agentdesk/agentdesk/graph"
)

// TestPresenterCanceledRequest: an error from a request its client
// abandoned is logged as such, not as an internal error; a cancellation
// the request did not ask for (ctx still live) stays an internal error.
func TestPresenterCanceledRequest(t *testing.T) {
	for _, tc := range []struct {
		name      string
		canceled  bool
		wantLevel string
	}{
		{"client went away", true, "level=INFO msg=\"request canceled by the client\""},
		{"request still live", false, "level=ERROR msg=\"internal error\""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			present := graph.ErrorPresenter(slog.New(slog.NewTextHandler(&buf, nil)))
			ctx, cancel := context.WithCancel(graph.WithRequestID(context.Background(), "rid-1"))
			defer cancel()
			if tc.canceled {
				cancel()
			}
			out := present(ctx, fmt.Errorf("store: begin: %w", context.Canceled))
			if code := out.Extensions["code"]; code != "INTERNAL" {
				t.Errorf("code %v, want INTERNAL", code)
			}
			if !strings.Contains(buf.String(), tc.wantLevel) {
				t.Errorf("log %q, want %s", buf.String(), tc.wantLevel)
			}
		})
	}
}
