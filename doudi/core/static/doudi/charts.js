// Draws the charts whose data the page embeds with json_script; ECharts comes from npm.
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("items-chart");
  var source = document.getElementById("items-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  var rows = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  chart.setOption({
    animationDuration: 300,
    grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis" },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }) },
    series: [{ type: "bar", data: rows.map(function (r) { return r.value; }), itemStyle: { color: "#1f4e8c" } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
