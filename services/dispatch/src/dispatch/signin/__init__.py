"""Sign-in (登录): what the web app needs to sign people in at the city's identity provider
(OpenID Connect, authorization code + PKCE), and who the caller is. Production signs in
only this way; the development sign-in (``dispatch.devsignin``) exists only in
development."""
