// `vcmsim sweep plot DIR --x KEY --y METRIC [--series KEY] [--normalize-to VALUE]
// [--term svg|png|dumb]`: turns DIR/results.csv into a gnuplot data file and script under
// DIR/plots/, and renders it when gnuplot is on PATH (docs/sweeps.md).
#include "platforms/sweep/sweep_plot.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "platforms/config/config.h"
#include "platforms/sweep/sweep_run.h"

namespace vcmsim::platform::sweep {

namespace {

bool as_number(const std::string& s, double& v) {
    if (s.empty()) return false;
    char* end = nullptr;
    v = std::strtod(s.c_str(), &end);
    return end && *end == '\0';
}

std::string slug(const std::string& s) {
    std::string out;
    for (const char c : s) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
    return out;
}

std::string gp_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

int column(const std::vector<std::string>& header, const std::string& name, const char* what) {
    for (size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return static_cast<int>(i);
    std::string cols;
    for (const auto& h : header) cols += " " + h;
    throw config_error(std::string(what) + " '" + name + "' is not a column of results.csv;"
                       " columns:" + cols, exit_usage);
}

}  // namespace

std::string find_on_path(const std::string& prog) {
    const char* path = std::getenv("PATH");
    if (!path) return "";
    std::stringstream ss(path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
        if (dir.empty()) continue;
        const std::string p = dir + "/" + prog;
        if (::access(p.c_str(), X_OK) == 0) return p;
    }
    return "";
}

int plot_sweep(const plot_options& o, std::ostream& out) {
    const std::vector<std::vector<std::string>> rows = read_csv(o.dir + "/results.csv");
    if (rows.empty()) throw config_error(o.dir + "/results.csv: empty", exit_bad_input);
    const auto& header = rows[0];
    const int xc = column(header, o.x, "--x");
    const int yc = column(header, o.y, "--y");
    const int sc = o.series.empty() ? -1 : column(header, o.series, "--series");
    if (o.term != "svg" && o.term != "png" && o.term != "dumb")
        throw config_error("--term takes svg, png or dumb", exit_usage);

    // Mean over seeds of every (series, x) cell; x and series in order of first appearance.
    std::vector<std::string> xs, ss;
    std::map<std::pair<std::string, std::string>, std::pair<double, unsigned>> cells;
    for (size_t r = 1; r < rows.size(); ++r) {
        const auto& row = rows[r];
        if (row.size() != header.size()) continue;
        double y = 0;
        if (!as_number(row[yc], y)) continue;  // failed points have empty metrics
        const std::string& x = row[xc];
        const std::string s = sc >= 0 ? row[sc] : o.y;
        if (std::find(xs.begin(), xs.end(), x) == xs.end()) xs.push_back(x);
        if (std::find(ss.begin(), ss.end(), s) == ss.end()) ss.push_back(s);
        auto& c = cells[{s, x}];
        c.first += y;
        ++c.second;
    }
    if (xs.empty()) throw config_error("no numeric values of '" + o.y + "' in results.csv", exit_bad_input);
    bool numeric_x = true;
    for (const auto& x : xs) {
        double v;
        numeric_x = numeric_x && as_number(x, v);
    }
    if (numeric_x)
        std::stable_sort(xs.begin(), xs.end(), [](const std::string& a, const std::string& b) {
            return std::strtod(a.c_str(), nullptr) < std::strtod(b.c_str(), nullptr);
        });

    std::map<std::string, double> norm;  // per series
    if (!o.normalize_to.empty()) {
        for (const auto& s : ss) {
            auto it = cells.find({s, o.normalize_to});
            if (it == cells.end() || it->second.first == 0)
                throw config_error("--normalize-to " + o.normalize_to + ": no non-zero value at " +
                                   o.x + "=" + o.normalize_to + " for series '" + s + "'", exit_bad_input);
            norm[s] = it->second.first / it->second.second;
        }
    }

    const std::string plots = o.dir + "/plots";
    ::mkdir(plots.c_str(), 0777);
    const std::string name = slug(o.y) + "_vs_" + slug(o.x) + (o.series.empty() ? "" : "_by_" + slug(o.series));
    std::ofstream dat(plots + "/" + name + ".dat");
    dat << "# " << o.x;
    for (const auto& s : ss) dat << "\t" << (o.series.empty() ? s : o.series + "=" + s);
    dat << "\n";
    for (const auto& x : xs) {
        dat << x;
        for (const auto& s : ss) {
            auto it = cells.find({s, x});
            if (it == cells.end()) {
                dat << "\tNaN";
                continue;
            }
            double v = it->second.first / it->second.second;
            if (!norm.empty()) v /= norm[s];
            char buf[40];
            std::snprintf(buf, sizeof buf, "%.10g", v);
            dat << "\t" << buf;
        }
        dat << "\n";
    }
    dat.close();

    const std::string ext = o.term == "png" ? "png" : "svg";
    std::ofstream gp(plots + "/" + name + ".gp");
    gp << "# vcmsim sweep plot: " << o.y << " vs " << o.x
       << (o.series.empty() ? "" : " by " + o.series) << " (mean over seeds)\n"
       << "# render: cd " << plots << " && gnuplot " << name << ".gp\n";
    if (o.term == "dumb") gp << "set terminal dumb size 100,30\n";
    else if (o.term == "png") gp << "set terminal pngcairo size 900,560\nset output " << gp_string(name + ".png") << "\n";
    else gp << "set terminal svg size 900,560 dynamic\nset output " << gp_string(name + ".svg") << "\n";
    gp << "set datafile separator \"\\t\"\n"
       << "set datafile missing \"NaN\"\n"
       << "set title " << gp_string(o.y + " vs " + o.x) << " noenhanced\n"
       << "set xlabel " << gp_string(o.x) << " noenhanced\n"
       << "set ylabel " << gp_string(o.normalize_to.empty() ? o.y : o.y + " (relative to " + o.x + "=" + o.normalize_to + ")")
       << " noenhanced\n"
       << "set key outside right noenhanced\n"
       << "set grid\n";
    if (!numeric_x) gp << "set xtics rotate by -30\nset offsets 0.5, 0.5, 0, 0\n";
    gp << "plot ";
    for (size_t i = 0; i < ss.size(); ++i) {
        if (i) gp << ", \\\n     ";
        gp << gp_string(name + ".dat") << " using " << (numeric_x ? "1" : "0") << ":" << i + 2
           << (numeric_x ? "" : ":xtic(1)") << " with linespoints title "
           << gp_string(o.series.empty() ? ss[i] : o.series + "=" + ss[i]);
    }
    gp << "\n";
    gp.close();

    const std::string gnuplot = find_on_path("gnuplot");
    if (gnuplot.empty()) {
        out << "gnuplot not found: wrote " << plots << "/" << name << ".gp and " << name
            << ".dat; install gnuplot (Debian: gnuplot-nox) and run\n  cd " << plots
            << " && gnuplot " << name << ".gp\n";
        return exit_ok;
    }
    out.flush();
    std::fflush(stdout);
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (::chdir(plots.c_str()) != 0) ::_exit(127);
        const std::string script = name + ".gp";
        ::execl(gnuplot.c_str(), "gnuplot", script.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        std::cerr << "vcmsim sweep plot: gnuplot failed on " << plots << "/" << name << ".gp\n";
        return exit_internal;
    }
    if (o.term != "dumb") out << "wrote " << plots << "/" << name << "." << ext << "\n";
    return exit_ok;
}

}  // namespace vcmsim::platform::sweep
