// PlotRecorder: binning of the samples and the hand-written SVG plot.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include <fmt/format.h>

#include "sim/output.h"

namespace tempus::sim {
namespace {

constexpr double kWidth = 960, kHeight = 520;
constexpr double kLeft = 90, kRight = 170, kTop = 40, kBottom = 60;
constexpr const char* kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A "nice" tick step (1, 2 or 5 × 10^k) giving about `count` ticks over `span`.
double NiceStep(double span, int count) {
  const double raw = span / count;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * p) return m * p;
  }
  return 10 * p;
}

// The unit for offsets up to `max_abs`: (factor, name).
std::pair<double, const char*> Unit(double max_abs) {
  if (max_abs >= 1.0) return {1.0, "s"};
  if (max_abs >= 1e-3) return {1e3, "ms"};
  if (max_abs >= 1e-6) return {1e6, "µs"};
  return {1e9, "ns"};
}

std::string Label(double v) {
  std::string s = fmt::format("{:.6g}", v);
  return s == "-0" ? "0" : s;
}

}  // namespace

PlotRecorder::PlotRecorder(double duration_s, size_t bins, size_t max_lines)
    : duration_s_(duration_s), bins_(std::max<size_t>(bins, 2)), max_lines_(max_lines) {}

void PlotRecorder::Begin(std::span<const std::string> names) {
  all_nodes_ = names.size();
  names_.assign(names.begin(), names.begin() + std::min(names.size(), max_lines_));
  t_.assign(bins_, kNaN);
  lines_.assign(names_.size(), std::vector<double>(bins_, kNaN));
  lo_.assign(bins_, kNaN);
  hi_.assign(bins_, kNaN);
}

void PlotRecorder::OnSample(double t_s, std::span<const double> offsets_s) {
  const size_t b = std::min(bins_ - 1, static_cast<size_t>(t_s / duration_s_ * static_cast<double>(bins_)));
  t_[b] = t_s;
  for (size_t i = 0; i < offsets_s.size(); ++i) {
    const double v = offsets_s[i];
    if (std::isnan(v)) continue;
    if (i < lines_.size()) lines_[i][b] = v;
    lo_[b] = std::isnan(lo_[b]) ? v : std::min(lo_[b], v);
    hi_[b] = std::isnan(hi_[b]) ? v : std::max(hi_[b], v);
  }
}

std::string PlotRecorder::Svg(const Options& options) const {
  const bool envelope = all_nodes_ > names_.size();
  // The value range.
  double vmin = std::numeric_limits<double>::infinity(), vmax = -vmin, amax = 0, amin_pos = vmin;
  for (size_t b = 0; b < bins_; ++b) {
    if (std::isnan(lo_[b])) continue;
    vmin = std::min(vmin, lo_[b]), vmax = std::max(vmax, hi_[b]);
    for (double v : {lo_[b], hi_[b]}) {
      amax = std::max(amax, std::fabs(v));
      if (std::fabs(v) > 0) amin_pos = std::min(amin_pos, std::fabs(v));
    }
  }
  if (!(vmax >= vmin)) vmin = -1e-6, vmax = 1e-6, amax = 1e-6, amin_pos = 1e-9;
  const double pw = kWidth - kLeft - kRight, ph = kHeight - kTop - kBottom;
  auto x_of = [&](double t) { return kLeft + t / duration_s_ * pw; };
  std::function<double(double)> y_of;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
      kWidth, kHeight, kWidth, kHeight);
  out += fmt::format("<text x=\"{}\" y=\"22\" font-size=\"15\">{}</text>\n", kLeft, options.title);
  std::string y_title;
  if (options.log_scale) {
    const double top = std::pow(10.0, std::ceil(std::log10(std::max(amax, 1e-9))));
    const double bottom = std::max(std::pow(10.0, std::floor(std::log10(std::max(amin_pos, 1e-9)))), top * 1e-6);
    y_of = [=](double v) {
      const double a = std::clamp(std::fabs(v), bottom, top);
      return kTop + ph * (std::log10(top) - std::log10(a)) / (std::log10(top) - std::log10(bottom));
    };
    for (double d = bottom; d <= top * 1.001; d *= 10) {
      const auto [f, u] = Unit(d);
      out += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>", kLeft, kLeft + pw,
                         y_of(d), y_of(d));
      out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{} {}</text>\n", kLeft - 6, y_of(d) + 4,
                         Label(d * f), u);
    }
    y_title = "|clock − true time| (log)";
  } else {
    const double span = std::max(vmax - vmin, 1e-9);
    const auto [f, u] = Unit(std::max(std::fabs(vmin), std::fabs(vmax)));
    const double step = NiceStep(span * f, 6) / f;
    const double lo = std::floor(vmin / step) * step, hi = std::ceil(vmax / step) * step;
    y_of = [=](double v) { return kTop + ph * (hi - v) / std::max(hi - lo, 1e-12); };
    for (double v = lo; v <= hi + step / 2; v += step) {
      out += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\"/>", kLeft, kLeft + pw,
                         y_of(v), y_of(v), std::fabs(v) < step / 2 ? "#999" : "#ddd");
      out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{} {}</text>\n", kLeft - 6, y_of(v) + 4,
                         Label(std::round(v / step) * step * f), u);
    }
    y_title = "clock − true time";
  }
  // X axis in seconds (or hours for long runs).
  const bool hours = duration_s_ >= 4 * 3600;
  const double xf = hours ? 1.0 / 3600 : 1.0;
  const double xstep = NiceStep(duration_s_ * xf, 8) / xf;
  for (double t = 0; t <= duration_s_ * 1.0001; t += xstep) {
    out += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#eee\"/>", x_of(t), kTop,
                       kTop + ph);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", x_of(t), kTop + ph + 18,
                       Label(t * xf));
  }
  out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"black\"/>\n", kLeft,
                     kTop, pw, ph);
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">true time ({})</text>\n", kLeft + pw / 2,
                     kHeight - 18, hours ? "h" : "s");
  out += fmt::format("<text transform=\"translate(18,{}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
                     kTop + ph / 2, y_title);
  if (envelope) {
    std::string upper, lower;
    for (size_t b = 0; b < bins_; ++b) {
      if (std::isnan(t_[b]) || std::isnan(lo_[b])) continue;
      const double a = options.log_scale ? std::max(std::fabs(lo_[b]), std::fabs(hi_[b])) : hi_[b];
      const double z = options.log_scale
                           ? ((lo_[b] <= 0 && hi_[b] >= 0) ? 0 : std::min(std::fabs(lo_[b]), std::fabs(hi_[b])))
                           : lo_[b];
      upper += fmt::format("{:.1f},{:.1f} ", x_of(t_[b]), y_of(a));
      lower = fmt::format("{:.1f},{:.1f} ", x_of(t_[b]), y_of(z)) + lower;
    }
    out += fmt::format("<polygon points=\"{}{}\" fill=\"#cfd8e3\" stroke=\"none\"/>\n", upper, lower);
  }
  for (size_t i = 0; i < lines_.size(); ++i) {
    std::string points;
    for (size_t b = 0; b < bins_; ++b) {
      if (std::isnan(t_[b]) || std::isnan(lines_[i][b])) continue;
      points += fmt::format("{:.1f},{:.1f} ", x_of(t_[b]), y_of(lines_[i][b]));
    }
    const char* color = kColors[i % 10];
    out += fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.2\"/>\n", points, color);
    const double ly = kTop + 14 + 16 * static_cast<double>(i);
    out += fmt::format("<line x1=\"{0}\" x2=\"{1}\" y1=\"{2}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"2\"/>",
                       kLeft + pw + 10, kLeft + pw + 30, ly, color);
    out += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n", kLeft + pw + 35, ly + 4, names_[i]);
  }
  if (envelope) {
    const double ly = kTop + 14 + 16 * static_cast<double>(lines_.size());
    out +=
        fmt::format("<rect x=\"{}\" y=\"{}\" width=\"20\" height=\"10\" fill=\"#cfd8e3\"/>", kLeft + pw + 10, ly - 5);
    out += fmt::format("<text x=\"{}\" y=\"{}\">all {} nodes</text>\n", kLeft + pw + 35, ly + 4, all_nodes_);
  }
  out += "</svg>\n";
  return out;
}

}  // namespace tempus::sim
