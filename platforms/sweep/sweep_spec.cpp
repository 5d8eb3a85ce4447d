// Sweep spec parsing (sweep_spec.h): the spec is loaded with the project's config loader and
// read back as JSON, then checked key by key.
#include "platforms/sweep/sweep_spec.h"

#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "platforms/config/config.h"
#include "platforms/config/param_registry.h"

namespace vcmsim::platform::sweep {

namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& name, const std::string& key, const std::string& msg) {
    throw config_error(name + ": " + key + ": " + msg);
}

std::string toml_quote(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// TOML inline text and label of one axis value.
void axis_value(const std::string& name, const std::string& key, const json& v,
                std::string& text, std::string& label) {
    if (v.is_string()) {
        label = v.get<std::string>();
        text = toml_quote(label);
    } else if (v.is_boolean()) {
        label = text = v.get<bool>() ? "true" : "false";
    } else if (v.is_number()) {
        label = text = v.dump();
    } else {
        fail(name, "axes." + key, "values must be integers, reals, strings or booleans, not " +
                                      std::string(v.type_name()));
    }
}

void read_run_keys(const std::string& name, const std::string& prefix, const json& t,
                   sweep_spec& s) {
    for (const auto& [k, v] : t.items()) {
        const std::string kp = prefix + k;
        if (k == "seeds") {
            if (!v.is_array() || v.empty()) fail(name, kp, "must be a non-empty array of integers");
            s.seeds.clear();
            for (const auto& e : v) {
                if (!e.is_number_integer() || e.get<int64_t>() < 0)
                    fail(name, kp, "must hold unsigned integers");
                s.seeds.push_back(e.get<uint64_t>());
            }
        } else if (k == "timeout") {
            const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
            if (!(v.is_string() || v.is_number()) || !parse_wall_seconds(text, s.timeout_s))
                fail(name, kp, "must be wall seconds: 90, \"90s\", \"10m\" or \"1h\"");
        } else if (k == "metrics") {
            if (!v.is_array()) fail(name, kp, "must be an array of stat names or globs");
            for (const auto& e : v) {
                if (!e.is_string()) fail(name, kp, "must hold strings");
                s.metrics.push_back(e.get<std::string>());
            }
        } else if (k == "until") {
            if (!v.is_string()) fail(name, kp, "must be a time string such as \"2ms\"");
            s.until = v.get<std::string>();
        } else {
            fail(name, kp, "unknown key (expected seeds, timeout, metrics, until)");
        }
    }
}

}  // namespace

bool parse_wall_seconds(const std::string& text, double& out) {
    if (text.empty()) return false;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || !std::isfinite(v) || v < 0) return false;
    const std::string unit(end);
    double mult = 0;
    if (unit.empty() || unit == "s") mult = 1;
    else if (unit == "m" || unit == "min") mult = 60;
    else if (unit == "h") mult = 3600;
    else return false;
    out = v * mult;
    return true;
}

namespace {

sweep_spec from_config(const config& cfg, const std::string& name, const std::string& dir) {
    const param_registry none;  // the spec keys are checked below
    const json root = cfg.to_json(none);
    sweep_spec s;
    s.spec_file = name;
    bool have_axes = false;
    for (const auto& [k, v] : root.items()) {
        if (k == "base") {
            if (!v.is_string() || v.get<std::string>().empty())
                fail(name, k, "must be the path of the base config");
            const std::string b = v.get<std::string>();
            s.base = (b.front() == '/' || dir.empty()) ? b : dir + "/" + b;
        } else if (k == "axes") {
            if (!v.is_object()) fail(name, k, "must be a table of key = [values]");
            have_axes = true;
            for (const auto& [key, vals] : v.items()) {
                if (!vals.is_array() || vals.empty())
                    fail(name, "axes." + key, "must be a non-empty array of values");
                if (key == "sim.seed")
                    fail(name, "axes." + key, "sweep seeds with seeds = [...], not as an axis");
                sweep_axis a;
                a.key = key;
                for (const auto& e : vals) {
                    std::string text, label;
                    axis_value(name, key, e, text, label);
                    a.values.push_back(text);
                    a.labels.push_back(label);
                }
                s.axes.push_back(std::move(a));
            }
        } else if (k == "set") {
            if (!v.is_object()) fail(name, k, "must be a table of fixed key = value overrides");
            for (const auto& [key, val] : v.items()) {
                std::string text, label;
                axis_value(name, key, val, text, label);
                s.extra_overrides.push_back(key + "=" + text);
            }
        } else if (k == "plot") {
            if (!v.is_array()) fail(name, k, "must be an array of tables: [[plot]] x = ..., y = ...");
            for (size_t i = 0; i < v.size(); ++i) {
                const std::string kp = "plot[" + std::to_string(i) + "]";
                if (!v[i].is_object()) fail(name, kp, "must be a table with x and y");
                sweep_plot_spec ps;
                for (const auto& [pk, pv] : v[i].items()) {
                    if (!pv.is_string()) fail(name, kp + "." + pk, "must be a string");
                    const std::string sv = pv.get<std::string>();
                    if (pk == "x") ps.x = sv;
                    else if (pk == "y") ps.y = sv;
                    else if (pk == "series") ps.series = sv;
                    else if (pk == "normalize_to") ps.normalize_to = sv;
                    else if (pk == "term") ps.term = sv;
                    else fail(name, kp + "." + pk, "unknown key (expected x, y, series, normalize_to, term)");
                }
                if (ps.x.empty() || ps.y.empty()) fail(name, kp, "needs x (an axis key or seed) and y (a metric)");
                if (ps.term != "svg" && ps.term != "png" && ps.term != "dumb")
                    fail(name, kp + ".term", "must be svg, png or dumb");
                s.plots.push_back(ps);
            }
        } else if (k == "run") {
            if (!v.is_object()) fail(name, k, "must be a table");
            read_run_keys(name, "run.", v, s);
        } else if (k == "seeds" || k == "timeout" || k == "metrics" || k == "until") {
            read_run_keys(name, "", json{{k, v}}, s);
        } else {
            fail(name, k, "unknown key (expected base, axes, seeds, timeout, metrics, until, set, run, plot)");
        }
    }
    if (s.base.empty()) fail(name, "base", "missing: the platform config to sweep");
    if (!have_axes) fail(name, "axes", "missing: a table of config keys to sweep");
    if (!s.until.empty()) s.extra_overrides.push_back("sim.until=" + toml_quote(s.until));
    for (size_t i = 0; i < s.plots.size(); ++i) {   // columns that must exist: an axis or seed
        for (const std::string* col : {&s.plots[i].x, &s.plots[i].series}) {
            if (col->empty() || *col == "seed") continue;
            bool axis = false;
            for (const auto& a : s.axes) axis = axis || a.key == *col;
            if (!axis) fail(name, "plot[" + std::to_string(i) + "]", "'" + *col + "' is not an axis of this sweep");
        }
    }
    return s;
}

}  // namespace

sweep_spec parse_sweep_spec(const std::string& toml_text, const std::string& name,
                            const std::string& dir) {
    return from_config(config::from_string(toml_text, name), name, dir);
}

sweep_spec load_sweep_spec(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
    return from_config(config::load({path}), path, dir);
}

}  // namespace vcmsim::platform::sweep
