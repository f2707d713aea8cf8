package intake

import (
	"container/list"
	"sync"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/classifier"
)

// modelCache keeps organisations' models parsed between requests, up to a
// total estimated size (limits.routing_cache_bytes): the least recently used
// are evicted first, and a model larger than the whole budget is not kept. A
// cached model is only read (Classify), never taught; teaching loads a fresh
// copy in its transaction.
type modelCache struct {
	mu        sync.Mutex
	maxBytes  int64
	bytes     int64
	byOrg     map[uuid.UUID]*list.Element
	recent    list.List // of *cachedModel, most recently used first
	evictions int64     // models removed to make room
	loads     int64     // models parsed for it (misses)
}

type cachedModel struct {
	org     uuid.UUID
	version string // the pipelines as classified, and when the model was saved
	model   *classifier.Model
	size    int64
}

func newModelCache(maxBytes int64) *modelCache {
	return &modelCache{maxBytes: maxBytes, byOrg: map[uuid.UUID]*list.Element{}}
}

// get returns the organisation's model when it is cached at this version.
func (c *modelCache) get(org uuid.UUID, version string) (*classifier.Model, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byOrg[org]
	if !ok || e.Value.(*cachedModel).version != version {
		return nil, false
	}
	c.recent.MoveToFront(e)
	return e.Value.(*cachedModel).model, true
}

// put caches the organisation's model, replacing an older version and
// evicting the least recently used until the cache fits its budget.
func (c *modelCache) put(org uuid.UUID, version string, model *classifier.Model) {
	size := model.SizeBytes()
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byOrg[org]; ok {
		c.remove(e)
	}
	if size > c.maxBytes {
		return
	}
	for c.bytes+size > c.maxBytes {
		c.remove(c.recent.Back())
		c.evictions++
	}
	c.byOrg[org] = c.recent.PushFront(&cachedModel{org: org, version: version, model: model, size: size})
	c.bytes += size
}

func (c *modelCache) remove(e *list.Element) {
	m := c.recent.Remove(e).(*cachedModel)
	delete(c.byOrg, m.org)
	c.bytes -= m.size
}

// loaded counts a model parsed because the cache missed it.
func (c *modelCache) loaded() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loads++
}

// usage is how many models the cache holds and their estimated size.
func (c *modelCache) usage() (models int, bytes int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.byOrg), c.bytes
}
