# frozen_string_literal: true

require "railsess/rack_utils"

RSpec.describe Railsess::RackUtils do
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
    header = Rack::Utils.add_cookie_to_header(nil, "_s", value: "a+b/c==", path: "/")
    expect(header).to eq("_s=a%2Bb%2Fc%3D%3D; path=/")
    expect(Rack::Utils.parse_cookies_header("_s=a%2Bb%2Fc%3D%3D")).to eq("_s" => "a+b/c==")
  end
end
