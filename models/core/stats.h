// Statistics: counters, averages and histograms that models own as plain members (cheap to
// update on a hot path), registered under flat dotted names in a registry that writes
// stats.json and a gem5-like stats.txt.
//
//   core::stat_group m_stats{name()};                      // prefix = hierarchical name
//   core::counter& m_reads = m_stats.add_counter("reads", "read transactions");
//   core::histogram& m_lat = m_stats.add_histogram("latency", "read latency", "ns", 10, 64);
//
// A stat_group deregisters its stats when it is destroyed. Names must be unique: a second
// registration of the same name is a model bug and throws std::logic_error.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace vcmsim::core {

class counter {
public:
    void inc(uint64_t n = 1) { m_value += n; }
    counter& operator++() { ++m_value; return *this; }
    counter& operator+=(uint64_t n) { m_value += n; return *this; }
    uint64_t value() const { return m_value; }
    void reset() { m_value = 0; }

private:
    uint64_t m_value = 0;
};

class average {
public:
    void sample(double v) { m_sum += v; ++m_count; }
    uint64_t count() const { return m_count; }
    double sum() const { return m_sum; }
    double mean() const { return m_count ? m_sum / static_cast<double>(m_count) : 0.0; }
    void reset() { m_sum = 0; m_count = 0; }

private:
    double m_sum = 0;
    uint64_t m_count = 0;
};

// Linear buckets of `bucket_width` starting at 0, plus one overflow bucket. Exact min, max
// and mean; percentiles are interpolated inside the bucket that holds them (exact when every
// sample in that bucket has one value, e.g. width 1).
class histogram {
public:
    histogram(uint64_t bucket_width = 1, unsigned buckets = 64);
    void sample(uint64_t v) {
        const uint64_t i = v / m_width;
        ++m_buckets[i < m_buckets.size() - 1 ? i : m_buckets.size() - 1];
        ++m_count;
        m_sum += v;
        if (v < m_min) m_min = v;
        if (v > m_max) m_max = v;
    }
    uint64_t count() const { return m_count; }
    uint64_t min() const { return m_count ? m_min : 0; }
    uint64_t max() const { return m_max; }
    double mean() const { return m_count ? static_cast<double>(m_sum) / m_count : 0.0; }
    double percentile(double p) const;  // p in [0, 100]
    uint64_t bucket_width() const { return m_width; }
    const std::vector<uint64_t>& buckets() const { return m_buckets; }  // last = overflow
    void reset();

private:
    uint64_t m_width;
    std::vector<uint64_t> m_buckets;
    uint64_t m_count = 0;
    uint64_t m_sum = 0;
    uint64_t m_min = UINT64_MAX;
    uint64_t m_max = 0;
};

enum class stat_kind { counter, average, histogram, value };

struct stat_entry {
    std::string name;
    std::string desc;
    std::string unit;
    stat_kind kind;
    const void* object;                  // counter / average / histogram
    std::function<double()> value_fn;    // for stat_kind::value (derived figures)
};

class stats_registry {
public:
    static stats_registry& global();

    void add(stat_entry e);
    void remove(const std::string& name);
    const stat_entry* find(const std::string& name) const;
    // Numeric value of a stat (histograms: their count; averages: their mean).
    double value(const std::string& name) const;
    std::vector<std::string> names() const;
    size_t size() const { return m_entries.size(); }

    // {"name": {"value":..., "unit":..., "desc":...}, ...} sorted by name. Histograms add
    // count/min/max/mean/p50/p90/p99 and buckets.
    nlohmann::json to_json() const;
    // gem5-like: "name  value  # desc (unit)", one line each, sorted by name.
    void write_txt(std::ostream& os) const;

private:
    std::map<std::string, stat_entry> m_entries;
};

class stat_group {
public:
    explicit stat_group(std::string prefix, stats_registry& reg = stats_registry::global());
    ~stat_group();
    stat_group(const stat_group&) = delete;
    stat_group& operator=(const stat_group&) = delete;

    counter& add_counter(const std::string& name, const std::string& desc,
                         const std::string& unit = "count");
    average& add_average(const std::string& name, const std::string& desc,
                         const std::string& unit = "");
    histogram& add_histogram(const std::string& name, const std::string& desc,
                             const std::string& unit, uint64_t bucket_width, unsigned buckets);
    // A figure computed when stats are written (rates, utilisation).
    void add_value(const std::string& name, const std::string& desc, const std::string& unit,
                   std::function<double()> fn);
    const std::string& prefix() const { return m_prefix; }

private:
    std::string full(const std::string& name) const { return m_prefix + "." + name; }
    std::string m_prefix;
    stats_registry& m_reg;
    std::deque<counter> m_counters;
    std::deque<average> m_averages;
    std::deque<histogram> m_histograms;
    std::vector<std::string> m_names;
};

}  // namespace vcmsim::core
