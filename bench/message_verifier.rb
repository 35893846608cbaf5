# frozen_string_literal: true

# Railsess::MessageVerifier vs ActiveSupport::MessageVerifier: generate and verify of a ~300 B
# session-like value, serializer: JSON, no purpose or expiry, SHA1 (Rails' default) and SHA256.
#
#   ruby -Ilib bench/message_verifier.rb
#   RAILSESS_BENCH_SMOKE=1 ruby -Ilib bench/message_verifier.rb
#
# The secret is the signed cookie's: ActiveSupport::KeyGenerator (iterations: 1000), "signed cookie",
# 64 bytes. generate is deterministic, so both sides must produce the very same token.

require_relative "support"

module VerifierBench
  module_function

  def verifiers(digest)
    secret = ActiveSupport::KeyGenerator.new(RailsessBench::SECRET_KEY_BASE, iterations: 1000)
                                        .generate_key("signed cookie")
    [ActiveSupport::MessageVerifier.new(secret, digest: digest, serializer: JSON),
     Railsess::MessageVerifier.new(secret, digest: digest, serializer: JSON)]
  end

  def bench(digest, value)
    name = "#{digest} #{RailsessBench.size_tag(value)}"
    as_verifier, rs_verifier = verifiers(digest)
    token = as_verifier.generate(value)
    expected = JSON.parse(JSON.generate(value))
    RailsessBench.assert_same!("#{name}: generated tokens", token, rs_verifier.generate(value))
    RailsessBench.assert_same!("#{name}: ActiveSupport's verify", expected, as_verifier.verify(token))
    RailsessBench.assert_same!("#{name}: railsess' verify", expected, rs_verifier.verify(token))

    RailsessBench.compare("generate #{name}") do |x|
      x.report("activesupport generate") { as_verifier.generate(value) }
      x.report("railsess generate") { rs_verifier.generate(value) }
    end
    RailsessBench.compare("verify #{name}") do |x|
      x.report("activesupport verify") { as_verifier.verify(token) }
      x.report("railsess verify") { rs_verifier.verify(token) }
    end
  end

  def run
    value = RailsessBench.devise_session
    %w[SHA1 SHA256].each { |digest| bench(digest, value) }
    RailsessBench.finish("message_verifier")
  end
end

VerifierBench.run if File.expand_path($PROGRAM_NAME) == File.expand_path(__FILE__)
