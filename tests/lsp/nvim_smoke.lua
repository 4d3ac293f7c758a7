-- Headless Neovim attaches `hegui lsp` to a plan and writes the diagnostics it received, one
-- a line: `CODE LINE:COL` (1-based line, 0-based byte column as Neovim keeps them) and the
-- message's first line. Environment: HEGUI_BIN, HEGUI_PLAN, HEGUI_OUT. Works on Neovim 0.7+.
local hegui = os.getenv("HEGUI_BIN")
local plan = os.getenv("HEGUI_PLAN")
local out = os.getenv("HEGUI_OUT")

vim.cmd("edit " .. vim.fn.fnameescape(plan))
local client = vim.lsp.start_client({
  name = "hegui",
  cmd = { hegui, "lsp", "--lang", "en", "--today", "2026-11-22" },
  root_dir = vim.fn.fnamemodify(plan, ":h"),
})
vim.lsp.buf_attach_client(0, client)
local got = vim.wait(20000, function()
  return #vim.diagnostic.get(0) > 0
end, 50)

local file = assert(io.open(out, "w"))
if not got then
  file:write("TIMEOUT\n")
end
local list = vim.diagnostic.get(0)
table.sort(list, function(a, b)
  return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
end)
for _, d in ipairs(list) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or "?"
  local first = vim.split(d.message, "\n")[1]
  file:write(string.format("%s %d:%d %s\n", code, d.lnum + 1, d.col, first))
end
file:close()
vim.lsp.stop_client(client)
vim.cmd("qa!")
