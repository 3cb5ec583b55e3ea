package notify

import "context"

// bodyMarkup is false on Windows: a toast shows its text as text.
func bodyMarkup(context.Context) bool { return false }
