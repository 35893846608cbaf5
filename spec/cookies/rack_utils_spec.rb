# frozen_string_literal: true

require "railsess/rack_utils"

RSpec.describe Railsess::RackUtils, kind: :unit do
  # What Rack::Utils.escape/unescape are (URI's), for comparison, and the same under RackUtils.
  let(:uri_methods) do
    Module.new do
      def escape(string) = URI.encode_www_form_component(string)
      def unescape(string, encoding = Encoding::UTF_8) = URI.decode_www_form_component(string, encoding)
    end
  end
  let(:rack) { Object.new.extend(uri_methods) }
  let(:fast) { Object.new.extend(uri_methods).extend(described_class) }

  before { described_class.enabled = true }

  def outcome
    [:ok, yield].then { |r| [r, r.last.encoding] }
  rescue StandardError => e
    [[e.class, e.message], nil]
  end

  random = Random.new(2026)
  fixed = [
    "", "plain", "a b+c/=", "%", "%4", "%zz", "100%", "%C3%BC+%2b", "ü€ \u{1F600}", "a%2", "%%41",
    "eyJfcmFpbHMiOnsibWVzc2FnZSI6IkJBaDdCa2tpQ1hWelpYSUdPZ1pGVkVraUNHRnViZ1k2QmtWVSIsImV4cCI6bnVsbH19--5e4f",
    "\xff\xfe".b, "\xff".dup.force_encoding("UTF-8"), "abc".encode("UTF-16LE"), "x".encode("US-ASCII")
  ]
  random_bytes = Array.new(200) do
    random.bytes(random.rand(40)).force_encoding(%w[UTF-8 BINARY].sample(random: random))
  end
  random_escapes = Array.new(200) { Array.new(random.rand(30)) { "%+ab0Z~/=ü".chars.sample(random: random) }.join }
  strings = fixed + random_bytes + random_escapes

  strings.each_with_index do |string, i|
    it "escapes and unescapes string #{i} exactly as Rack does" do
      expect(outcome { fast.escape(string) }).to eq(outcome { rack.escape(string) })
      expect(outcome { fast.unescape(string) }).to eq(outcome { rack.unescape(string) })
      binary = Encoding::BINARY
      expect(outcome { fast.unescape(string, binary) }).to eq(outcome { rack.unescape(string, binary) })
    end
  end

  it "is what Rack::Utils uses once installed, for cookies too" do
    Railsess.use_native_rack_escaping!
    expect(Rack::Utils.singleton_class.ancestors).to include(described_class)
    # Rack 3's public set_cookie_header; Rack 2.2's add_cookie_to_header (gone in Rack 3).
    header = if Rack::Utils.respond_to?(:set_cookie_header)
               Rack::Utils.set_cookie_header("_s", value: "a+b/c==", path: "/")
             else
               Rack::Utils.add_cookie_to_header(nil, "_s", value: "a+b/c==", path: "/")
             end
    expect(header).to eq("_s=a%2Bb%2Fc%3D%3D; path=/")
    expect(Rack::Utils.parse_cookies_header("_s=a%2Bb%2Fc%3D%3D")).to eq("_s" => "a+b/c==")
  end

  describe "the cookie code railsess' middlewares run (always native)" do
    # Rack's own Request#cookies / Response#set_cookie, with the global switch off.
    def with_rack_only
      enabled = described_class.enabled
      described_class.enabled = false
      yield
    ensure
      described_class.enabled = enabled
    end

    def shape(hash) = hash.map { |k, v| [k, k.encoding, v, v&.encoding] }

    def cookies_or_error
      shape(yield)
    rescue StandardError => e
      [:raised, e.class, e.message]
    end

    header_random = Random.new(2027)
    header_alphabet = [";", " ", "=", "%", "+", "a", "b", "4", "f", "ü", "\u2028"]
    headers = [
      nil, "", "_s=a%2Bb%2Fc%3D%3D", "_s=a%2Bb; _s=second", "a=1;b=2;  c=3", "a=%zz; b=%C3%BC", "a==b=c",
      "novalue; x=", "=v", "k y=1", "a=1, b=2", ";;a=1;", "a=%", "u=\u00fc".b, "\xff=\xfe".b,
      "_myapp_session=#{Array.new(40) { '%2B%2F%3D' }.join}--abc%3D%3D; other=1", " a=1 ; ;b ; =; ==",
      "k; k=1; k=2", "a=1".encode("US-ASCII"), "a=%C3%BC\xff", "a=1\xff".b, "a=1".encode("UTF-16LE"),
      "a=\x81;b=1".dup.force_encoding("Shift_JIS"), "é=%E9".encode("ISO-8859-1")
    ] + Array.new(60) do
      header = Array.new(header_random.rand(0..24)) { header_alphabet.sample(random: header_random) }.join
      header_random.rand(3).zero? ? header.b : header
    end
    headers.each_with_index do |header, i|
      it "reads Cookie header #{i} into the env as Rack::Request#cookies does" do
        env = Rack::MockRequest.env_for("/")
        env["HTTP_COOKIE"] = header if header
        ours = cookies_or_error { described_class.request_cookies(Rack::Request.new(env)) }
        rack_env = Rack::MockRequest.env_for("/")
        rack_env["HTTP_COOKIE"] = header if header
        theirs = cookies_or_error { with_rack_only { Rack::Request.new(rack_env).cookies } }
        expect(ours).to eq(theirs)
        %w[rack.request.cookie_hash rack.request.cookie_string].each { |key| expect(env[key]).to eq(rack_env[key]) }
        next if ours.first == :raised

        expect(Rack::Request.new(env).cookies).to equal(env["rack.request.cookie_hash"]) # Rack reuses ours
        Railsess.use_native_rack_escaping! # Rack::Utils' own parse_cookies_header, switched on
        expect(cookies_or_error { Rack::Utils.parse_cookies_header(header) }).to eq(theirs)
      end
    end

    options = [
      { value: "a+b/c==" }, { value: "v", path: "/", domain: ".myapp.test", secure: true, httponly: true },
      { value: "v", same_site: :lax, expires: Time.utc(2030, 1, 2, 3, 4, 5), max_age: 60 },
      { value: "ü é", http_only: true, same_site: "Strict" }, { value: ["a", "b c"] }, { value: nil },
      { value: "#{'x' * 3000}+/=" }, { value: "v", same_site: :none }
    ]
    existing = [nil, "", "a=1", ["a=1", "b=2"]]
    options.product(existing).each_with_index do |(option, before), i|
      it "writes Set-Cookie #{i} as Rack::Response#set_cookie does" do
        ours = Rack::Response::Raw.new(200, { "Set-Cookie" => before.dup }.compact)
        described_class.set_cookie(ours, "_my session", option)
        theirs = Rack::Response::Raw.new(200, { "Set-Cookie" => before.dup }.compact)
        with_rack_only { theirs.set_cookie("_my session", option) }
        expect(ours.headers).to eq(theirs.headers)
      end
    end

    it "copies the loaded Rack's cookie code (2.2, 3.0-3.2): the session cookie never goes through URI's escaping" do
      expect(described_class::COOKIE_CODE).to eq(Rack.release.start_with?("2.") ? :rack22 : :rack3)
      expect(URI).not_to receive(:decode_www_form_component)
      expect(URI).not_to receive(:encode_www_form_component)
      with_rack_only do
        env = Rack::MockRequest.env_for("/", "HTTP_COOKIE" => "_s=a%2Bb%2Fc%3D%3D; other=1")
        expect(described_class.request_cookies(Rack::Request.new(env))).to eq("_s" => "a+b/c==", "other" => "1")
        res = Rack::Response::Raw.new(200, {})
        described_class.set_cookie(res, "_s", value: "a+b/c==", path: "/")
        expect(res.get_header("set-cookie") || res.get_header("Set-Cookie")).to eq("_s=a%2Bb%2Fc%3D%3D; path=/")
      end
    end

    it "raises what Rack raises for a bad SameSite" do
      res = Rack::Response::Raw.new(200, {})
      rack_error = begin
        with_rack_only { Rack::Response::Raw.new(200, {}).set_cookie("k", value: "v", same_site: :bogus) }
      rescue ArgumentError => e
        e.message # Rack 2.2: "Invalid SameSite value: :bogus"; Rack 3: "Invalid :same_site value: :bogus"
      end
      expect(rack_error).to match(/Invalid (SameSite|:same_site) value/)
      expect { described_class.set_cookie(res, "k", value: "v", same_site: :bogus) }
        .to raise_error(ArgumentError, rack_error)
    end
  end
end
