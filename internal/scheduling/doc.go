// Package scheduling computes when an operator can be booked: availability
// rules (weekly windows in the operator's own time zone, date overrides),
// their validation, and free slots after busy time, buffers, notice, horizon
// and daily limits. It is pure computation: no database, no HTTP, no clock of
// its own (callers pass Now), so the API, the booking validators and the
// workflows all agree on what is free.
//
// Local days are stepped as civil dates and each window is built from its
// wall times in the operator's zone, so daylight-saving changes never move a
// 09:00 window. Candidate starts step in local wall time from the window's
// start. Wall times are read as RFC 5545 reads the local times in an invite:
// one skipped by a spring-forward change does not exist (no slot starts there;
// a window edge there moves forward by the gap), and one repeated by a
// fall-back change is its first occurrence, so the repeated hour is offered
// once.
package scheduling
