"""The workshop browser app (``ssr ui``): one model per browser session, works offline."""
