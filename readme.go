package agentdesk

import _ "embed"

// readme is the README, built into the binary: the console's example tabs
// are its operations (console.Examples), so they cannot drift from what the
// README documents and TestReadmeOperationsValidate checks.
//
//go:embed README.md
var readme string
