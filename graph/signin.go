package graph

import (
	"github.com/agentdesk/agentdesk/graph/model"
	"github.com/agentdesk/agentdesk/internal/signin"
)

// signInOptions maps the sign-in service's answer to the API type: the SSO
// fields are null unless the method is SSO.
func signInOptions(o *signin.Options) *model.SignInOptions {
	if o.Method != signin.MethodSSO {
		return &model.SignInOptions{Method: model.SignInMethodPassword}
	}
	return &model.SignInOptions{
		Method:              model.SignInMethodSso,
		SsoAuthorizationURL: &o.AuthorizationURL,
		State:               &o.State,
	}
}
