"""What every domain uses and no domain owns: errors, security headers, health, request ids, i18n, mail, the queue."""
