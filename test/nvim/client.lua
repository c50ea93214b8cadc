-- Neovim as a second, independent LSP client: starts the built server over stdio, opens the file
-- given in OMADM_FILE, waits for diagnostics, asks for a hover at OMADM_LINE/OMADM_COL (0-based),
-- and writes both as JSON to OMADM_OUT. Run: nvim --headless --clean -c "luafile client.lua"
local file = os.getenv('OMADM_FILE')
local out = os.getenv('OMADM_OUT')
local server = os.getenv('OMADM_SERVER')
local result = { diagnostics = {}, hover = vim.NIL, error = vim.NIL }
local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start_client({ name = 'omadm', cmd = { 'node', server, '--stdio' }, root_dir = vim.fn.getcwd() })
  assert(id, 'the language server did not start')
  vim.lsp.buf_attach_client(buf, id)
  local got = vim.wait(15000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  assert(got, 'no diagnostics within 15 s')
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col, severity = d.severity, code = d.code, message = d.message })
  end
  local params = { textDocument = vim.lsp.util.make_text_document_params(buf), position = { line = tonumber(os.getenv('OMADM_LINE')), character = tonumber(os.getenv('OMADM_COL')) } }
  local responses = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 10000)
  for _, r in pairs(responses or {}) do
    if r.result and r.result.contents then result.hover = r.result.contents.value end
  end
  vim.lsp.stop_client(id)
end)
if not ok then result.error = tostring(err) end
local f = io.open(out, 'w')
f:write(vim.fn.json_encode(result))
f:close()
vim.cmd('qa!')
