# frozen_string_literal: true

require "rack/mock"

# A mutation fuzzer on the Ruby side: real messages and cookies, mutated at random, go through
# railsess and through the real ActiveSupport; every outcome must be the same (the same value, nil,
# or an exception of the same class). The Rack middleware must answer every mutated cookie without
# a 500. RAILSESS_FUZZ_ITERATIONS sets the mutations per target (rake fuzz runs many more);
# RAILSESS_FUZZ_SEED reproduces a run.
# The ways an attacker or a broken proxy mutates a message.
FUZZ_MUTATIONS = [
  ->(b, _r, f) { f.flip(b) },
  ->(b, r, _) { b.byteslice(0, r.rand(b.bytesize + 1)) },
  ->(b, r, _) { b.insert(r.rand(b.bytesize + 1), r.bytes(1 + r.rand(3))) },
  ->(b, _, f) { f.delete(b) },
  ->(b, r, _) { "#{b}--#{%w[Zm9v AAAA -- = ==].sample(random: r)}" },
  ->(b, _, _) { b.tr("+/", "-_") },
  ->(b, r, _) { b.sub("--", %w[- --- ---- -_].sample(random: r)) },
  ->(b, r, _) { b.split("--").shuffle(random: r).join("--") },
  ->(b, _, _) { "#{b}\0" },
  ->(b, _, _) { b.force_encoding(Encoding::UTF_8) + "\xff".b.force_encoding(Encoding::UTF_8) },
  ->(_, r, _) { r.bytes(r.rand(80)) },
  ->(b, _, f) { f.flip(f.flip(b)) }
].freeze

RSpec.describe "mutation fuzzing against ActiveSupport", :active_support, kind: :fuzz do
  let(:iterations) { Integer(ENV.fetch("RAILSESS_FUZZ_ITERATIONS", "300")) }
  let(:seed) { Integer(ENV.fetch("RAILSESS_FUZZ_SEED", Random.new_seed.to_s[0, 9])) }
  let(:random) { Random.new(seed) }
  let(:null) { ActiveSupport::MessageEncryptor::NullSerializer }

  def mutate(message)
    FUZZ_MUTATIONS.sample(random: random).call(message.b, random, self)
  end

  def flip(bytes)
    return bytes if bytes.empty?

    i = random.rand(bytes.bytesize)
    bytes.setbyte(i, bytes.getbyte(i) ^ (1 << random.rand(8)))
    bytes
  end

  def delete(bytes)
    return bytes if bytes.empty?

    i = random.rand(bytes.bytesize)
    bytes.byteslice(0, i) + bytes.byteslice((i + 1 + random.rand(3))..).to_s
  end

  def outcome
    [:value, yield]
  rescue ActiveSupport::MessageEncryptor::InvalidMessage
    [:error, "InvalidMessage"]
  rescue ActiveSupport::MessageVerifier::InvalidSignature
    [:error, "InvalidSignature"]
  rescue StandardError => e
    [:error, e.class.name]
  end

  def compare(label, messages)
    mismatches = []
    iterations.times do
      original = messages.sample(random: random)
      mutated = mutate(original.dup)
      ours = outcome { yield(:railsess, mutated) }
      theirs = outcome { yield(:active_support, mutated) }
      mismatches << [mutated, ours, theirs] unless ours == theirs
    end
    expect(mismatches.first(3)).to eq([]), "#{label}: #{mismatches.size} of #{iterations} differ (seed #{seed})"
  end

  def values = [{ "id" => 1, "tags" => ["<a>", "ü"] }, "plain", [1, nil, true], { "n" => 2.5 }]

  {
    "aes-256-gcm" => [["k" * 32], { cipher: "aes-256-gcm" }],
    "aes-256-cbc" => [["k" * 32, "s" * 64], { cipher: "aes-256-cbc" }]
  }.each do |cipher, (secrets, options)|
    it "decrypt_and_verify (#{cipher}, JSON, purpose) agrees with ActiveSupport on mutated messages" do
      impls = { railsess: Railsess::MessageEncryptor.new(*secrets, serializer: JSON, **options),
                active_support: ActiveSupport::MessageEncryptor.new(*secrets, serializer: JSON, **options) }
      messages = values.flat_map do |v|
        [impls[:active_support].encrypt_and_sign(v, purpose: "cookie.s"), impls[:railsess].encrypt_and_sign(v)]
      end
      compare(cipher, messages) { |who, message| impls.fetch(who).decrypt_and_verify(message, purpose: "cookie.s") }
    end
  end

  it "verified and verify (SHA1, JSON) agree with ActiveSupport on mutated messages" do
    impls = { railsess: Railsess::MessageVerifier.new("v" * 64, serializer: JSON),
              active_support: ActiveSupport::MessageVerifier.new("v" * 64, serializer: JSON) }
    messages = values.flat_map { |v| [impls[:active_support].generate(v, purpose: "p"), impls[:railsess].generate(v)] }
    compare("verified", messages) { |who, message| impls.fetch(who).verified(message, purpose: "p") }
    compare("verify", messages) { |who, message| impls.fetch(who).verify(message) }
  end

  it "parses mutated JSON into the same Ruby objects as the json gem (the core's JSON-to-Ruby path)" do
    documents = [JSON.generate(values), '{"a":[1,2.5,-0.0,1e300,"\\u00fc\\ud83d\\ude00",null,true,{"b":{}}]}',
                 JSON.generate("x" => "y" * 300), "[#{'[' * 50}1#{']' * 50}]", '{"n":12345678901234567890}']
    mismatches = []
    iterations.times do
      text = mutate(documents.sample(random: random)).force_encoding(Encoding::UTF_8)
      ours = outcome { Railsess::JSON.parse(text) { JSON.parse(text) } }
      theirs = outcome { JSON.parse(text) }
      # Marshal compares exactly: key order, -0.0, string encodings.
      mismatches << [text, ours, theirs] unless Marshal.dump(ours) == Marshal.dump(theirs)
    end
    expect(mismatches.first(3)).to eq([]), "seed #{seed}"
  end

  it "Session::CookieStore answers every mutated session cookie without an error" do
    app = Railsess::Session::CookieStore.new(->(env) { [200, {}, [env["rack.session"].to_hash.to_s]] },
                                             preset: "6.1", secret_key_base: "x" * 64, key: "_s")
    cookie = Rack::MockRequest.new(Railsess::Session::CookieStore.new(lambda { |env|
      env["rack.session"]["user"] = 1
      [200, {}, []]
    }, preset: "6.1", secret_key_base: "x" * 64, key: "_s")).get("/")["Set-Cookie"][/_s=([^;]+)/, 1]
    failures = []
    iterations.times do
      mutated = mutate(CGI.unescape(cookie))
      response = Rack::MockRequest.new(app).get("/", "HTTP_COOKIE" => "_s=#{CGI.escape(mutated)}")
      failures << mutated unless response.status == 200
    end
    expect(failures.first(3)).to eq([]), "seed #{seed}"
  end
end
