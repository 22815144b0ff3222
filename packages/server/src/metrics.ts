import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Pod's Prometheus metrics, one registry per server process, served at /metrics. */
export class Metrics {
  readonly registry = new Registry();
  readonly connections = new Gauge({ name: 'pod_connections', help: 'Open WebSocket connections', registers: [this.registry] });
  readonly requests = new Counter({
    name: 'pod_requests_total',
    help: 'Requests answered, by operation and outcome (ok or an error code)',
    labelNames: ['op', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly mailboxAppends = new Counter({ name: 'pod_mailbox_appends_total', help: 'Events appended to client mailboxes', registers: [this.registry] });
  readonly missedDeliveries = new Counter({
    name: 'pod_missed_deliveries_total',
    help: 'Connections that missed a live delivery (messenger outage, crashed publisher) and caught up from the store',
    registers: [this.registry],
  });
  readonly deliveryLatency = new Histogram({
    name: 'pod_delivery_latency_seconds',
    help: 'From the commit of an event to its push onto a live connection',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'pod_' });
  }
}
