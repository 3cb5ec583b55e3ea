//go:build !unix

package timeline

import "os"

func openAppend(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
}

func openRead(path string) (*os.File, error) { return os.Open(path) }
