"""Single sign-on with the province's OpenID Connect provider."""
