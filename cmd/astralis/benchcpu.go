package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicksPerSecond is USER_HZ, the unit of /proc/<pid>/stat's CPU times: 100 on every Linux build we run on.
const clockTicksPerSecond = 100

// benchCPU adds up the CPU time used by the benchmark's own processes: this
// one and its children (astralis dev with the embedded Temporal server, the
// API and workers), and the PostgreSQL server started over the scratch data
// directory, with its backends. Unlike throughput, it hardly changes with the
// machine's other load, so it shows what one item costs even on a busy machine.
type benchCPU struct{ dataDir string }

// used is the CPU time the benchmark's processes have used so far (those
// still running; a process that exited took its share with it).
func (c benchCPU) used() time.Duration {
	type proc struct {
		ppid  int
		ticks uint64
		root  bool
	}
	procs := map[int]proc{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	self := os.Getpid()
	for _, dir := range dirs {
		pid, err := strconv.Atoi(filepath.Base(dir))
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(dir + "/stat")
		if err != nil {
			continue
		}
		// The command name may hold spaces: the fields after it follow the last ')'.
		i := strings.LastIndexByte(string(stat), ')')
		if i < 0 {
			continue
		}
		fields := strings.Fields(string(stat[i+1:])) // state ppid … utime is field 14 of the whole line, [11] here
		if len(fields) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(fields[1])
		utime, _ := strconv.ParseUint(fields[11], 10, 64)
		stime, _ := strconv.ParseUint(fields[12], 10, 64)
		cmdline, _ := os.ReadFile(dir + "/cmdline")
		procs[pid] = proc{ppid: ppid, ticks: utime + stime, root: pid == self || (c.dataDir != "" && strings.Contains(string(cmdline), c.dataDir))}
	}
	var ticks uint64
	for pid, p := range procs {
		// Counted when it or an ancestor is a root.
		for q, seen := pid, 0; seen < 64; seen++ {
			pq, ok := procs[q]
			if !ok {
				break
			}
			if pq.root {
				ticks += p.ticks
				break
			}
			q = pq.ppid
		}
	}
	return time.Duration(ticks) * time.Second / clockTicksPerSecond
}
