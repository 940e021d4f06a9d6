# Words that would act on the media of the reports: a terminal's escapes (clear the screen,
# write the clipboard), raw HTML and Markdown, characters XML forbids.
raise RuntimeError("\x1b[2J\x1b]52;c;cHduZWQ=\x07 <img src=x onerror=alert(1)> | <script>alert(2)</script> \x01\x02 {MARKER}")
