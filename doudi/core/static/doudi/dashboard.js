// The dashboard's charts, drawn with ECharts (from npm) from the JSON the page embeds.
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var blue = "#1f4e8c", red = "#c8102e";
  var charts = [];
  function draw(id, option) {
    var holder = document.getElementById(id);
    if (!holder) return;
    var chart = echarts.init(holder);
    chart.setOption(Object.assign({ animationDuration: 300 }, option));
    charts.push(chart);
  }
  var labels = data.labels;
  draw("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { data: [labels.received, labels.answered], bottom: 0 },
    grid: { left: 8, right: 16, top: 16, bottom: 32, containLabel: true },
    xAxis: { type: "category", data: data.trend.labels },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: labels.received, type: "line", smooth: true, data: data.trend.received, itemStyle: { color: blue } },
      { name: labels.answered, type: "line", smooth: true, data: data.trend.answered, itemStyle: { color: "#198754" } }
    ]
  });
  draw("chart-channels", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: data.channels, label: { formatter: "{b} {c}" } }]
  });
  draw("chart-causes", {
    tooltip: { trigger: "axis" },
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.causes.map(function (r) { return r.name; }) },
    series: [{ type: "bar", data: data.causes.map(function (r) { return r.value; }), itemStyle: { color: red } }]
  });
  var days = labels.weekdays;
  var cells = [], max = 1;
  data.heatmap.forEach(function (row, w) {
    row.forEach(function (n, h) { cells.push([h, w, n]); if (n > max) max = n; });
  });
  draw("chart-heatmap", {
    tooltip: { position: "top" },
    grid: { left: 8, right: 8, top: 8, bottom: 48, containLabel: true },
    xAxis: { type: "category", data: Array.from({ length: 24 }, function (_, h) { return h + ":00"; }), splitArea: { show: true } },
    yAxis: { type: "category", data: days, inverse: true, splitArea: { show: true } },
    visualMap: { min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0, inRange: { color: ["#f0f4fa", blue] } },
    series: [{ type: "heatmap", data: cells }]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
});
