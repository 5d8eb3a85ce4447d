#include "models/core/stats.h"

#include <cmath>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <stdexcept>

namespace vcmsim::core {

histogram::histogram(uint64_t bucket_width, unsigned buckets)
    : m_width(bucket_width ? bucket_width : 1), m_buckets(buckets < 1 ? 2 : buckets + 1, 0) {}

double histogram::percentile(double p) const {
    if (m_count == 0) return 0.0;
    if (p <= 0) return static_cast<double>(min());
    if (p >= 100) return static_cast<double>(m_max);
    // Rank of the wanted sample, 1-based (nearest-rank definition).
    const double rank = std::ceil(p / 100.0 * static_cast<double>(m_count));
    uint64_t seen = 0;
    for (size_t i = 0; i < m_buckets.size(); ++i) {
        const uint64_t n = m_buckets[i];
        if (n == 0) continue;
        if (static_cast<double>(seen + n) >= rank) {
            double lo = static_cast<double>(i * m_width);
            double hi = (i + 1 == m_buckets.size()) ? static_cast<double>(m_max)
                                                    : static_cast<double>((i + 1) * m_width - 1);
            lo = std::max(lo, static_cast<double>(min()));
            hi = std::min(hi, static_cast<double>(m_max));
            if (n == 1 || hi <= lo) return lo;
            const double frac = (rank - static_cast<double>(seen) - 1) / static_cast<double>(n - 1);
            return lo + frac * (hi - lo);
        }
        seen += n;
    }
    return static_cast<double>(m_max);
}

void histogram::reset() {
    std::fill(m_buckets.begin(), m_buckets.end(), 0);
    m_count = m_sum = m_max = 0;
    m_min = UINT64_MAX;
}

stats_registry& stats_registry::global() {
    static stats_registry r;
    return r;
}

void stats_registry::add(stat_entry e) {
    if (m_entries.count(e.name)) throw std::logic_error("duplicate statistic '" + e.name + "'");
    std::string key = e.name;
    m_entries.emplace(std::move(key), std::move(e));
}

void stats_registry::remove(const std::string& name) { m_entries.erase(name); }

const stat_entry* stats_registry::find(const std::string& name) const {
    auto it = m_entries.find(name);
    return it == m_entries.end() ? nullptr : &it->second;
}

namespace {
double numeric(const stat_entry& e) {
    switch (e.kind) {
    case stat_kind::counter: return static_cast<double>(static_cast<const counter*>(e.object)->value());
    case stat_kind::average: return static_cast<const average*>(e.object)->mean();
    case stat_kind::histogram: return static_cast<double>(static_cast<const histogram*>(e.object)->count());
    case stat_kind::value: return e.value_fn ? e.value_fn() : 0.0;
    }
    return 0.0;
}

// Integers print as integers, everything else with up to 6 significant decimals, so that the
// text is identical for identical runs.
nlohmann::json number(double v) {
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15)
        return static_cast<int64_t>(v);
    if (!std::isfinite(v)) return nullptr;
    return std::round(v * 1e6) / 1e6;
}

std::string text_number(double v) {
    std::ostringstream os;
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15)
        os << static_cast<int64_t>(v);
    else
        os << std::fixed << std::setprecision(6) << v;
    return os.str();
}
}  // namespace

double stats_registry::value(const std::string& name) const {
    const stat_entry* e = find(name);
    if (!e) throw std::out_of_range("no statistic '" + name + "'");
    return numeric(*e);
}

std::vector<std::string> stats_registry::names() const {
    std::vector<std::string> v;
    v.reserve(m_entries.size());
    for (const auto& kv : m_entries) v.push_back(kv.first);
    return v;
}

nlohmann::json stats_registry::to_json() const {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [name, e] : m_entries) {
        nlohmann::json j;
        j["unit"] = e.unit;
        j["desc"] = e.desc;
        if (e.kind == stat_kind::histogram) {
            const auto& h = *static_cast<const histogram*>(e.object);
            j["value"] = h.count();
            j["count"] = h.count();
            j["min"] = h.min();
            j["max"] = h.max();
            j["mean"] = number(h.mean());
            j["p50"] = number(h.percentile(50));
            j["p90"] = number(h.percentile(90));
            j["p99"] = number(h.percentile(99));
            j["bucket_width"] = h.bucket_width();
            j["buckets"] = h.buckets();
        } else if (e.kind == stat_kind::average) {
            const auto& a = *static_cast<const average*>(e.object);
            j["value"] = number(a.mean());
            j["count"] = a.count();
        } else {
            j["value"] = number(numeric(e));
        }
        out[name] = std::move(j);
    }
    return out;
}

void stats_registry::write_txt(std::ostream& os) const {
    size_t width = 40;
    for (const auto& kv : m_entries) width = std::max(width, kv.first.size() + 2);
    auto line = [&](const std::string& name, const std::string& value, const stat_entry& e) {
        os << std::left << std::setw(static_cast<int>(width)) << name << std::setw(16) << value
           << " # " << e.desc;
        if (!e.unit.empty()) os << " (" << e.unit << ")";
        os << '\n';
    };
    for (const auto& [name, e] : m_entries) {
        if (e.kind == stat_kind::histogram) {
            const auto& h = *static_cast<const histogram*>(e.object);
            line(name + ".count", std::to_string(h.count()), e);
            line(name + ".mean", text_number(h.mean()), e);
            line(name + ".min", std::to_string(h.min()), e);
            line(name + ".max", std::to_string(h.max()), e);
            line(name + ".p50", text_number(h.percentile(50)), e);
            line(name + ".p90", text_number(h.percentile(90)), e);
            line(name + ".p99", text_number(h.percentile(99)), e);
        } else {
            line(name, text_number(numeric(e)), e);
        }
    }
}

stat_group::stat_group(std::string prefix, stats_registry& reg)
    : m_prefix(std::move(prefix)), m_reg(reg) {}

stat_group::~stat_group() {
    for (const auto& n : m_names) m_reg.remove(n);
}

counter& stat_group::add_counter(const std::string& name, const std::string& desc,
                                 const std::string& unit) {
    counter& c = m_counters.emplace_back();
    m_reg.add({full(name), desc, unit, stat_kind::counter, &c, {}});
    m_names.push_back(full(name));
    return c;
}

average& stat_group::add_average(const std::string& name, const std::string& desc,
                                 const std::string& unit) {
    average& a = m_averages.emplace_back();
    m_reg.add({full(name), desc, unit, stat_kind::average, &a, {}});
    m_names.push_back(full(name));
    return a;
}

histogram& stat_group::add_histogram(const std::string& name, const std::string& desc,
                                     const std::string& unit, uint64_t bucket_width,
                                     unsigned buckets) {
    histogram& h = m_histograms.emplace_back(bucket_width, buckets);
    m_reg.add({full(name), desc, unit, stat_kind::histogram, &h, {}});
    m_names.push_back(full(name));
    return h;
}

void stat_group::add_value(const std::string& name, const std::string& desc,
                           const std::string& unit, std::function<double()> fn) {
    m_reg.add({full(name), desc, unit, stat_kind::value, nullptr, std::move(fn)});
    m_names.push_back(full(name));
}

}  // namespace vcmsim::core
