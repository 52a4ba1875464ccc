"""Doudi (兜底): the case system behind a service centre's 办不成事反映窗口."""
