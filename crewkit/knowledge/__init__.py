"""Knowledge: documents an agent consults — chunked once, cached by content, searched with bm25."""
