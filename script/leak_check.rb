# frozen_string_literal: true

# The operations whose native memory must not leak, N times (argument; default 100_000):
# encrypt/decrypt (GCM, CBC, JSON fast path), sign/verify, key derivation, JSON parse, cookie
# escaping and the session middleware. `rake valgrind` runs it under valgrind twice (N and N/10)
# and fails if memory the extension allocated is definitely lost.
$LOAD_PATH.unshift File.expand_path("../lib", __dir__)
require "railsess"
require "rack/mock"

n = Integer(ARGV.first || 100_000)
gcm = Railsess::MessageEncryptor.new("g" * 32, cipher: "aes-256-gcm", serializer: JSON)
cbc = Railsess::MessageEncryptor.new("c" * 32, "s" * 64, cipher: "aes-256-cbc", serializer: JSON)
verifier = Railsess::MessageVerifier.new("v" * 64, serializer: JSON)
keys = Railsess::KeyGenerator.new("secret", iterations: 2)
store = Railsess::Session::CookieStore.new(lambda { |env|
  env["rack.session"]["n"] = 1
  [200, {}, []]
}, preset: "7.1", secret_key_base: "x" * 64, key: "_s")
value = { "user" => [[1], "salt"], "flash" => { "notice" => "hi" } }
json = JSON.generate(value)
n.times do |i|
  gcm.decrypt_and_verify(gcm.encrypt_and_sign(value, purpose: "p"), purpose: "p")
  cbc.decrypt_and_verify(cbc.encrypt_and_sign(value))
  verifier.verified(verifier.generate(value))
  gcm.decrypt_and_verify("garbage--#{i}--x") rescue nil # rubocop:disable Style/RescueModifier
  Railsess::JSON.decode(json)
  keys.generate_key("salt #{i % 10}", 32)
  Railsess::Native.www_form_unescape(Railsess::Native.www_form_escape("a+b/c= #{i}"))
  store.call(Rack::MockRequest.env_for("/")) if (i % 10).zero?
end
GC.start(full_mark: true, immediate_sweep: true)
puts "leak_check: #{n} rounds"
