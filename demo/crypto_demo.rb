# frozen_string_literal: true

# A Rails session cookie, written by ActiveSupport and read by railsess, and the other way round.
#
# Keys come from a random secret_key_base exactly as a Rails app derives them for its
# authenticated encrypted cookie jar (AES-256-GCM, PBKDF2-HMAC-SHA1, 1000 iterations). The value
# is what Devise leaves in a session after sign-in. Run with `bin/demo` (or `ruby -Ilib` after a build).
require "json"
require "securerandom"
require "active_support"
require "active_support/key_generator"
require "active_support/message_encryptor"
require "railsess"

ITERATIONS = Integer(ENV.fetch("RAILSESS_DEMO_ITERATIONS", 3000))
SALT = "authenticated encrypted cookie"
PURPOSE = "cookie._app_session"

def measure(iterations, &block)
  block.call # warm up (and fail early, outside the timed loop)
  t0 = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  iterations.times(&block)
  (Process.clock_gettime(Process::CLOCK_MONOTONIC) - t0) * 1_000_000 / iterations
end

secret_key_base = SecureRandom.hex(64)
session = {
  "session_id" => SecureRandom.hex(16),
  "_csrf_token" => SecureRandom.urlsafe_base64(32, false),
  "warden.user.user.key" => [[1], "$2a$12$abcdefghijklmnopqrstuv"]
}

as_key = ActiveSupport::KeyGenerator.new(secret_key_base, iterations: 1000).generate_key(SALT, 32)
rs_key = Railsess::KeyGenerator.new(secret_key_base, iterations: 1000).generate_key(SALT, 32)
puts "ActiveSupport #{ActiveSupport::VERSION::STRING}, railsess #{Railsess::VERSION}, Ruby #{RUBY_VERSION}"
puts "derived keys identical: #{as_key == rs_key}"
abort "key mismatch" unless as_key == rs_key

as_enc = ActiveSupport::MessageEncryptor.new(as_key, cipher: "aes-256-gcm", serializer: JSON)
rs_enc = Railsess::MessageEncryptor.new(rs_key, cipher: "aes-256-gcm", serializer: JSON)

puts
puts "session: #{session.inspect}"

from_as = as_enc.encrypt_and_sign(session, purpose: PURPOSE)
read_by_rs = rs_enc.decrypt_and_verify(from_as, purpose: PURPOSE)
puts
puts "ActiveSupport::MessageEncryptor#encrypt_and_sign (#{from_as.bytesize} bytes):"
puts "  #{from_as}"
puts "Railsess::MessageEncryptor#decrypt_and_verify:"
puts "  #{read_by_rs.inspect}"
abort "railsess read a different value" unless read_by_rs == session

from_rs = rs_enc.encrypt_and_sign(session, purpose: PURPOSE)
read_by_as = as_enc.decrypt_and_verify(from_rs, purpose: PURPOSE)
puts
puts "Railsess::MessageEncryptor#encrypt_and_sign (#{from_rs.bytesize} bytes):"
puts "  #{from_rs}"
puts "ActiveSupport::MessageEncryptor#decrypt_and_verify:"
puts "  #{read_by_as.inspect}"
abort "ActiveSupport read a different value" unless read_by_as == session

wrong_as = as_enc.decrypt_and_verify(from_rs, purpose: "cookie.other")
wrong_rs = rs_enc.decrypt_and_verify(from_as, purpose: "cookie.other")
puts
puts "wrong purpose -> ActiveSupport: #{wrong_as.inspect}, railsess: #{wrong_rs.inspect}"

puts
puts "Speed, #{ITERATIONS} iterations each (µs/op, lower is better):"
rows = {
  "decrypt_and_verify" => [
    measure(ITERATIONS) { as_enc.decrypt_and_verify(from_as, purpose: PURPOSE) },
    measure(ITERATIONS) { rs_enc.decrypt_and_verify(from_as, purpose: PURPOSE) }
  ],
  "encrypt_and_sign" => [
    measure(ITERATIONS) { as_enc.encrypt_and_sign(session, purpose: PURPOSE) },
    measure(ITERATIONS) { rs_enc.encrypt_and_sign(session, purpose: PURPOSE) }
  ]
}
puts format("  %<op>-20s %<as>15s %<rs>12s %<ratio>9s", op: "", as: "ActiveSupport", rs: "railsess", ratio: "speedup")
rows.each do |name, (as_us, rs_us)|
  puts format("  %<op>-20s %<as>12.2f µs %<rs>9.2f µs %<ratio>8.2fx",
              op: name, as: as_us, rs: rs_us, ratio: as_us / rs_us)
end
