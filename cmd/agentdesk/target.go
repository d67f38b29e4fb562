package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/agentdesk/agentdesk"
	"github.com/agentdesk/agentdesk/internal/apperr"
	"github.com/agentdesk/agentdesk/policy"
)

// The provisioning commands (import users, apply, export) work either on
// a database directly (--database) or on a running server through the API
// (--server, with the token in AGENTDESK_TOKEN: never a flag, which would
// show in the process list and the shell history).

// targetFlags are --database and --server.
type targetFlags struct {
	fs       *flagSet
	database *string
	server   *string
}

// target declares --database and --server on fs.
func (fs *flagSet) target() *targetFlags {
	return &targetFlags{
		fs:       fs,
		database: fs.database(),
		server: fs.envString("server", "AGENTDESK_SERVER", "",
			"work through the API of the agentdesk server at this `URL` (https://agentdesk.example.com) instead of on the database; the token comes from AGENTDESK_TOKEN"),
	}
}

// targetEnv are the environment-only settings of a provisioning command.
var targetEnv = []envSetting{
	{"AGENTDESK_TOKEN", "with --server: an API token (or a session token) of a platform or tenant admin, sent as Authorization: Bearer"},
	{"AGENTDESK_CODE_KEY", "with --database and --invite: the server's HMAC key of invitation codes, when the server has it set (otherwise the key kept in the database is used)"},
}

// remote reports whether the command works through a server; naming both
// on the command line is an error.
func (t *targetFlags) remote(cmd string) (bool, error) {
	if *t.server == "" {
		return false, nil
	}
	if t.fs.given("database") {
		return false, usageErrorf(cmd, "give --database or --server, not both")
	}
	return true, nil
}

// openDatabase opens --database for the provisioning services, acting as
// a platform admin (the command line is the operator of the database).
func (t *targetFlags) openDatabase(ctx context.Context, log *slog.Logger) (context.Context, *agentdesk.Offline, error) {
	off, err := agentdesk.OpenOffline(ctx, agentdesk.Config{
		DatabaseURL: *t.database, CodeKey: env("AGENTDESK_CODE_KEY", ""), Logger: log,
	})
	if err != nil {
		return nil, nil, err
	}
	return policy.WithViewer(ctx, &policy.Viewer{UserID: operatorName(), Role: policy.PlatformAdmin}), off, nil
}

// operatorName is the audit log's actor of a change made from the command
// line on the database: who ran it, where.
func operatorName() string {
	name := "command-line"
	if u, err := user.Current(); err == nil {
		name += ":" + u.Username
	}
	if h, err := os.Hostname(); err == nil {
		name += "@" + h
	}
	return name
}

// client is the API client of --server.
func (t *targetFlags) client() (*apiClient, error) {
	token := env("AGENTDESK_TOKEN", "")
	if token == "" {
		return nil, errors.New("--server needs a token in AGENTDESK_TOKEN (an API token of an admin: createApiToken)")
	}
	return &apiClient{url: strings.TrimRight(*t.server, "/") + "/graphql", token: token,
		http: &http.Client{Timeout: 2 * time.Minute}}, nil
}

// apiClient calls the GraphQL API of a server.
type apiClient struct {
	url, token string
	http       *http.Client
}

// do runs one operation and decodes its data into out. A GraphQL error
// comes back as an *apperr.Error with the server's code and message (and
// field), so it reads like the same error on the database.
func (c *apiClient) do(ctx context.Context, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return err
	}
	var reply struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &reply); err != nil {
		return fmt.Errorf("%s answered %s: %s", c.url, res.Status, clip(string(raw), 200))
	}
	if len(reply.Errors) > 0 {
		e := reply.Errors[0]
		code, _ := e.Extensions["code"].(string)
		ae := apperr.New(apperr.Code(code), e.Message)
		if f, ok := e.Extensions["field"].(string); ok {
			ae = ae.With("field", f)
		}
		return ae
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", c.url, res.Status)
	}
	return json.Unmarshal(reply.Data, out)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
