package intake

import "github.com/prometheus/client_golang/prometheus"

// Metrics reports the routing model cache to Prometheus: how full it is
// against limits.routing_cache_bytes, what it evicts and how often models
// are parsed. Register it once per process.
func (s *Service) Metrics() prometheus.Collector { return cacheCollector{s.models} }

var (
	cacheBytesDesc = prometheus.NewDesc("astralis_routing_model_cache_bytes",
		"Estimated memory of the routing models kept between requests (at most limits.routing_cache_bytes).", nil, nil)
	cacheModelsDesc = prometheus.NewDesc("astralis_routing_model_cache_models",
		"Routing models kept between requests.", nil, nil)
	cacheEvictionsDesc = prometheus.NewDesc("astralis_routing_model_cache_evictions_total",
		"Routing models evicted from the cache to stay within limits.routing_cache_bytes.", nil, nil)
	modelLoadsDesc = prometheus.NewDesc("astralis_routing_model_loads_total",
		"Routing models parsed from the database because the cache missed them (requests missing together share one).", nil, nil)
)

type cacheCollector struct{ c *modelCache }

func (cc cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- cacheBytesDesc
	ch <- cacheModelsDesc
	ch <- cacheEvictionsDesc
	ch <- modelLoadsDesc
}

func (cc cacheCollector) Collect(ch chan<- prometheus.Metric) {
	cc.c.mu.Lock()
	models, bytes, evictions, loads := len(cc.c.byOrg), cc.c.bytes, cc.c.evictions, cc.c.loads
	cc.c.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(cacheBytesDesc, prometheus.GaugeValue, float64(bytes))
	ch <- prometheus.MustNewConstMetric(cacheModelsDesc, prometheus.GaugeValue, float64(models))
	ch <- prometheus.MustNewConstMetric(cacheEvictionsDesc, prometheus.CounterValue, float64(evictions))
	ch <- prometheus.MustNewConstMetric(modelLoadsDesc, prometheus.CounterValue, float64(loads))
}
