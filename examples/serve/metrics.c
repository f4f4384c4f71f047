/* metrics.c - the server's counters: events by status, requests by
 * status class, a request latency histogram and the store syncs it made.
 * api.c writes them in the Prometheus text format. */
#include <string.h>

#include "serve.h"

/* Upper bounds of the latency buckets, in seconds (then +Inf). */
const double lat_bounds[LAT_BUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                        0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};

void metrics_init(metrics *m)
{
    memset(m, 0, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
}

void metrics_request(metrics *m, unsigned status, double seconds)
{
    pthread_mutex_lock(&m->mu);
    unsigned cls = status / 100;
    if (cls >= 1 && cls <= 5) m->requests[cls]++;
    size_t i = 0;
    while (i < LAT_BUCKETS && seconds > lat_bounds[i]) i++;
    m->lat_counts[i]++;
    m->lat_sum += seconds;
    m->lat_n++;
    pthread_mutex_unlock(&m->mu);
}

void metrics_events(metrics *m, uint64_t acc, uint64_t dup, uint64_t rej, uint64_t held)
{
    pthread_mutex_lock(&m->mu);
    m->events[0] += acc;
    m->events[1] += dup;
    m->events[2] += rej;
    m->events[3] += held;
    pthread_mutex_unlock(&m->mu);
}

void metrics_sync(metrics *m, int ok, double seconds, uint64_t events)
{
    pthread_mutex_lock(&m->mu);
    m->syncs++;
    if (!ok) m->sync_failures++;
    m->sync_seconds += seconds;
    m->group_events += events;
    pthread_mutex_unlock(&m->mu);
}
