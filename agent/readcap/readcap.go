// Package readcap reads the agent's own files with a size cap. Settings,
// state and history files sit in folders a user (or another program) can
// write to; a file grown by accident or on purpose must cost a clear error,
// not the agent's memory.
package readcap

import (
	"fmt"
	"io"
	"os"
)

// TooLargeError says a file is bigger than its cap.
type TooLargeError struct {
	Path  string
	Limit int64 // bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s, the most idpulse reads from it", e.Path, Size(e.Limit))
}

// ReadFile reads path whole, or fails with a *TooLargeError when it holds
// more than limit bytes. Errors from opening come back unwrapped, so callers
// can test them with errors.Is(err, fs.ErrNotExist) as with os.ReadFile.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// One byte past the cap tells "exactly at the limit" from "over it"; the
	// file is never trusted to report its own size (a FIFO, /dev/zero).
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return data, nil
}

// Size says n bytes the way the error messages do: "64 KiB", "1 MiB", "100 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
