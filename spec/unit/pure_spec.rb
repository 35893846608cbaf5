# frozen_string_literal: true

require "fileutils"
require "open3"
require "rbconfig"
require "tmpdir"
require "railsess/pure"

# lib/railsess/pure.rb is Railsess::Native in pure Ruby, used when the compiled extension cannot be
# loaded (or with RAILSESS_PURE=1). It must behave exactly as the extension does. With the
# extension loaded, this compares the two input by input: values, String encodings, exception
# classes and messages, the JSON markers. The whole suite also runs on the pure implementation
# (`RAILSESS_PURE=1 rspec`, bin/test step rspec-pure).
RSpec.describe "Railsess::Native::Pure, the pure-Ruby implementation" do
  let(:pure) { Railsess::Native::Pure }

  # The process-wide settings that follow the loaded openssl gem and ActiveSupport
  # (Native.empty_data, Native.alphabet_fallback): the same for both implementations.
  before do
    Railsess::Native::Pure::Encryptor.empty_data = Railsess::Native.empty_data
    Railsess::Native::Pure.const_get(:Signer).alphabet_fallback = Railsess::Native.alphabet_fallback
  end
  let(:lib) { File.expand_path("../../lib", __dir__) }

  def marker_names
    { Railsess::Native::JSON_CONTENT => :content, Railsess::Native::JSON_GENERAL => :general,
      Railsess::Native::JSON_FALLBACK => :fallback }
  end

  # Deep comparison that also sees classes, String encodings and the markers.
  def shape(value)
    case value
    when String then [value.b, value.encoding.name]
    when Array then [:array, value.map { |v| shape(v) }]
    when Hash then [:hash, value.map { |k, v| [shape(k), shape(v)] }]
    when Float then [:float, value.to_s]
    when Integer, true, false, nil then value
    else marker_names.fetch(value) { [:object, value.class.name] }
    end
  end

  def outcome
    shape(yield)
  rescue StandardError => e
    [:raised, e.class, e.message]
  end

  # Runs the block with Railsess::Native and with the pure module for every input: the inputs
  # where the outcomes differ.
  def differences(inputs)
    inputs.filter_map do |input|
      native = outcome { yield Railsess::Native, input }
      ported = outcome { yield pure, input }
      { input: input, native: native, pure: ported } unless native == ported
    end
  end

  def b64(data, url_safe: false)
    encoded = [data].pack("m0")
    url_safe ? encoded.tr("+/", "-_").delete("=") : encoded
  end

  def signed(secret, digest, encoded)
    "#{encoded}--#{OpenSSL::HMAC.hexdigest(digest, secret, encoded)}"
  end

  # A message's variants: cut, extended, with fields moved, a byte changed here and there.
  def mutations(message)
    parts = message.split("--")
    variants = [message, "#{message}--", "#{message}--Zm9v", "#{message}--!!", "--#{message}", "#{message}Zm9v",
                message[0..-2], message[1..], message.tr("-", "_"), message.tr("/+", "_-"), message.upcase,
                parts.reverse.join("--"), parts.first(2).join("--"), parts.drop(1).join("--"), parts.join("----"),
                "#{parts.first}=--#{parts.drop(1).join('--')}", message.sub("--", "---"), message.delete("=")]
    step = [message.size / 12, 1].max
    (0...message.size).step(step) do |at|
      ["A", "-", "=", "_", "+", " "].each { |char| variants << message.dup.tap { |m| m[at] = char } }
    end
    variants.uniq
  end

  def garbage
    ["", "-", "--", "----", "a--", "--a", "x", "a--b", "a--b--c", "a--b--c--d", " --  -- ", "YQ==--YQ==--YQ==",
     "!!!--???--***", "YQ==\n--YQ==--YQ==", "é--é--é", "x".encode("UTF-16LE"), "YQ==--YQ==".b]
  end

  describe "compared with the compiled extension" do
    before { skip "the extension is not loaded (pure mode)" unless Railsess.native? }

    it "derives the same keys with pbkdf2" do
      digests = %w[SHA1 SHA256 SHA384 SHA512 sha512]
      inputs = digests.product(["", "s", "k" * 200], ["", "salt"], [1, 3, 1000], [1, 20, 33, 64, 129])
      expect(differences(inputs) { |impl, args| impl.pbkdf2(*args) }).to eq([])
    end

    it "derives the same keys when the rounds run in Ruby (long derivations)" do
      inputs = [["SHA1", "s" * 100, "salt", 70_000, 40], ["SHA512", "k" * 150, "", 65_600, 65],
                ["SHA256", "", "x", 131_073, 1]]
      expect(differences(inputs) { |impl, args| impl.pbkdf2(*args) }).to eq([])
    end

    it "fails alike on bad pbkdf2 arguments" do
      ok = ["SHA1", "s", "salt", 1, 16]
      bad = { 0 => ["MD5", "", "sha1\xFF", "ſha1", :SHA1, nil, "SHA1".encode("UTF-16LE"), "SHA1".b, "\xFF".b],
              1 => [nil, 1, :s, "\xFF\xFE", "s".encode("UTF-16LE")],
              2 => [nil, 1, :salt, "\xFF"],
              3 => [0, -1, 2**32, 2**62, 2**64, 1.9, "1", nil, Object.new],
              4 => [0, -1, 2**20, (2**20) + 1, 2**64, 1.5, "16", nil] }
      inputs = bad.flat_map { |index, values| values.map { |value| ok.dup.tap { |args| args[index] = value } } }
      expect(differences(inputs) { |impl, args| impl.pbkdf2(*args) }).to eq([])
    end

    it "escapes and unescapes www-form components alike" do
      rng = Random.new(7)
      alphabet = ["%", "+", " ", "a", "Z", "0", "9", "-", "_", ".", "*", "~", "/", "=", "f", "F", "\xFF", "é"].map(&:b)
      random = Array.new(300) { Array.new(rng.rand(0..12)) { alphabet.sample(random: rng) }.join.b }
      inputs = (0..255).map { |byte| [byte].pack("C") } + random +
               ["", "a b+c/=%~*-._", "ü", "%", "%4", "%zz", "100%", "%41%42", "%e9", "+%2B+", "%%41", "%4%41",
                "é".encode("UTF-16LE"), "é".encode("ISO-8859-1"), "\xFF", nil, 42, :sym]
      expect(differences(inputs) { |impl, input| impl.www_form_escape(input) }).to eq([])
      expect(differences(inputs) { |impl, input| impl.www_form_unescape(input) }).to eq([])
    end

    it "parses Cookie headers alike (parse_cookies_header)" do
      rng = Random.new(8)
      alphabet = [";", " ", "=", "%", "+", "a", "4", "F", "é", "\xFF"]
      random = Array.new(200) { Array.new(rng.rand(0..20)) { alphabet.sample(random: rng) }.join }
      encodings = [Encoding::UTF_8, Encoding::BINARY, Encoding::US_ASCII, Encoding::ISO_8859_1, Encoding::UTF_16LE]
      inputs = random.each_with_index.map { |header, i| header.dup.force_encoding(encodings[i % encodings.size]) } +
               ["", "a=1; a=2", "k", "=v", "a=%zz; b=%C3%BC", nil, 42]
      shape = ->(hash) { hash&.map { |k, v| [k, k.encoding, v, v&.encoding] } }
      expect(differences(inputs) { |impl, input| shape.call(impl.parse_cookies_header(input)) }).to eq([])
    end

    it "writes JSON, or leaves it to Ruby, exactly where the core does (json_generate)" do
      with_singleton = +"x"
      def with_singleton.to_json(*) = "1"
      deep = 63.times.reduce([]) { |inner, _| [inner] }
      values = [nil, true, 0, -(2**62), (2**62) - 1, 2**62, 1.5, :sym, "x", "<&>\u2028\n\u0001\"\\/é", "\xff".b,
                "\xff".dup.force_encoding("UTF-8"), "a".encode("US-ASCII"), "é".encode("ISO-8859-1"), with_singleton,
                Class.new(String).new("s"), [], {}, { a: 1 }, { "a" => [1, { "b" => nil }] }, { 1 => 2 }, deep, [deep],
                Time.at(0), Object.new, { "k" => 2.5 }]
      expect(differences(values.product((0..7).to_a)) { |impl, (value, flags)| impl.json_generate(value, flags) })
        .to eq([])
      bad = [[{}, 8], [{}, -1], [{}, "1"], [{}, nil]]
      expect(differences(bad) { |impl, args| impl.json_generate(*args) }).to eq([])
    end

    it "parses JSON, or leaves it to Ruby, exactly where the core does (json_parse)" do
      expect(differences(json_documents.product([nil, 0, 2, 100], [nil, "json_class"])) do |impl, (json, *args)|
        impl.json_parse(json, *args, Railsess::Native::JSON_FALLBACK)
      end).to eq([])
      bad = [[nil, nil, nil], ["[1]", -1, nil], ["[1]", "2", nil], ["[1]", nil, :json_class], ["[1]", nil, "\xFF".b],
             [1, nil, nil], ["[1]", 2**64, nil]]
      expect(differences(bad) { |impl, args| impl.json_parse(*args, 0) }).to eq([])
    end

    it "writes the same legacy envelopes, byte for byte" do
      exps = [nil, "2001-01-01T00:00:00.000Z", "", "<a&b>\u2028\u2029\"\\\u0001\u001f\u007f\n\r\t\b\f/é😀"]
      purs = exps + [:sym, 1, "\xFF", "é".encode("ISO-8859-1"), "é".encode("UTF-16LE"), "é".b, "p".b]
      serialized = ["", "x", "\x04\bI\"\x06a\x06:\x06ET".b, '{"a":[1]}']
      inputs = [61, 70, 71, 72].product([false, true], serialized, exps, purs)
      expect(differences(inputs) do |impl, (compat, url_safe, data, exp, pur)|
        impl::Verifier.new("secret", "SHA256", url_safe, compat).generate_enveloped(data, exp, pur)
      end).to eq([])
    end

    it "signs and verifies like the core, for every compatibility level" do
      secret = "verifier secret"
      encodings = ["YQ==", "YQ", "YQ=", "Y", "", " ", "\t", "-_8", "-_8=", "+/8=", "+/8", "YQ==\n", "Y Q==", "YR==",
                   "eyJhIjoxfQ==", "eyJhIjoxfQ", "a--b", "YQ==--YQ==", "é"]
      inputs = [61, 70, 71, 72].product([false, true], %w[SHA1 SHA384]).flat_map do |compat, url_safe, digest|
        messages = encodings.flat_map { |encoded| mutations(signed(secret, digest, encoded)) }
        messages += garbage + [nil, 1, "YQ==--#{'0' * 40}", "YQ==--#{'0' * 96}"]
        native = Railsess::Native::Verifier.new(secret, digest, url_safe, compat)
        messages += ["x", "\x00\xFF".b, "a" * 100].map { |data| native.generate(data) }
        messages.map { |message| [compat, url_safe, digest, message] }
      end
      expect(differences(inputs) do |impl, (compat, url_safe, digest, message)|
        verifier = impl::Verifier.new(secret, digest, url_safe, compat)
        [verifier.verified(message), verifier.valid?(message), verifier.generate(message.to_s)]
      end).to eq([])
    end

    it "reads plaintexts (legacy envelopes or not) like the core" do
      inputs = [61, 72].product(plaintexts)
      expect(differences(inputs) do |impl, (compat, plain)|
        signed = Railsess::Native::Verifier.new("secret", "SHA1", false, compat).generate(plain)
        impl::Verifier.new("secret", "SHA1", false, compat).verified(signed)
      end).to eq([])
    end

    it "takes the JSON fast path, or leaves it to Ruby, exactly where the core does" do
      options = ["", "p", "other", "p\xC3\xA9".b, "p\u00e9"].product([false, true], [nil, 1], [nil, "json_class"])
      inputs = [61, 70, 71, 72].product(json_plaintexts, options)
      verifier = ->(impl, compat) { impl::Verifier.new("secret", "SHA1", false, compat) }
      expect(differences(inputs) do |impl, (compat, plain, args)|
        message = verifier.call(Railsess::Native, compat).generate(plain)
        verifier.call(impl, compat).verified_json(message, *args, Railsess::Native::JSON_CONTENT,
                                                  Railsess::Native::JSON_GENERAL)
      end).to eq([])
      gcm = Railsess::Native::Encryptor.gcm("k" * 32, false, 72)
      markers = [Railsess::Native::JSON_CONTENT, Railsess::Native::JSON_GENERAL]
      expect(differences(json_plaintexts.product(options)) do |impl, (plain, args)|
        impl::Encryptor.gcm("k" * 32, false, 72).decrypt_json(gcm.encrypt(plain), *args, *markers)
      end).to eq([])
    end

    it "writes 7.1+ metadata envelopes as the core does, or leaves them to Ruby alike" do
      values = [{ "a" => [1, "<\u2028>"] }, nil, "x", [:sym], { a: 1 }, 1.5, "\xFF".b, "é"]
      metadata = [[nil, nil], ["2026-12-06T03:40:12.345Z", nil], [nil, "cookie._app"],
                  ["2999-01-01T00:00:00.000Z", "<p>"], [nil, :p], [nil, "p\xFF".b]]
      inputs = values.product(metadata, [0, 1, 2, 4, 7])
      verifier = ->(impl) { impl::Verifier.new("secret", "SHA256", false, 72) }
      expect(differences(inputs) do |impl, (value, (exp, pur), mode)|
        verifier.call(impl).generate_json_envelope(value, mode, exp, pur)
      end).to eq([])
      gcm = ->(impl) { impl::Encryptor.gcm("k" * 32, false, 72) }
      expect(differences(inputs) do |impl, (value, (exp, pur), mode)|
        message = gcm.call(impl).encrypt_json_envelope(value, mode, exp, pur)
        message && [gcm.call(Railsess::Native).decrypt(message), message.encoding]
      end).to eq([])
    end

    it "formats expiries as Time#iso8601(3) does, or leaves them to Ruby alike" do
      times = [Time.at(0).utc, Time.at(1_796_528_412, 345_999, :usec).utc, Time.at(-1).utc,
               Time.utc(9999, 12, 31, 23, 59, 59.9999r), Time.utc(10_000), Time.at(Rational(1, 3)).utc,
               Time.at(1_700_000_000, 123_456_789, :nsec, in: "+09:00").utc, Time.utc(2024, 2, 29, 12),
               "2026-12-06T03:40:12.345Z", nil, 5]
      expect(differences(times) { |impl, time| impl.iso8601_3(time) }).to eq([])
      times.grep(Time).each do |time|
        formatted = Railsess::Native.iso8601_3(time)
        expect([formatted, formatted&.encoding]).to eq([time.iso8601(3), Encoding::UTF_8]) if formatted
      end
    end

    it "builds encryptors, or refuses to, alike" do
      key = "k" * 32
      inputs = [
        [:gcm, key, false, 72], [:gcm, "k" * 31, false, 72], [:gcm, nil, false, 72], [:gcm, key, false, 60],
        [:gcm, key, false, "72"], [:gcm, key, nil, 2**40], [:cbc, key, "s", "SHA256", true, 71],
        [:cbc, key, "s", "md5", false, 72], [:cbc, key, nil, "SHA1", false, 72],
        [:cbc, "k" * 31, "s", "MD5", false, 99], [:cbc, "k" * 31, "s", "MD5", false, 72],
        [:cbc, "k" * 33, "s", "SHA1", false, 72], [:cbc, key, "s", :SHA1, false, 72]
      ]
      expect(differences(inputs) { |impl, (kind, *args)| impl::Encryptor.public_send(kind, *args) && :built }).to eq([])
      expect(differences(["s", "s" * 200]) { |impl, secret| impl::Verifier.new(secret, "SHA1", 0, 61) && :built })
        .to eq([])
    end

    it "decrypts what the other implementation encrypts, in the same format" do
      plains = ["x", "hello world" * 20, "\x00\xFF".b, "é"]
      inputs = encryptor_settings.product(plains, [false, true])
      expect(differences(inputs) do |impl, (settings, plain, enveloped)|
        ours = encryptor(impl, settings)
        theirs = encryptor(impl.equal?(pure) ? Railsess::Native : pure, settings)
        message = enveloped ? ours.encrypt_enveloped(plain, "2001-01-01T00:00:00.000Z", "p") : ours.encrypt(plain)
        [theirs.decrypt(message), ours.decrypt(message), message.encoding.name, message.bytesize]
      end).to eq([])
    end

    it "rejects tampered, truncated, garbage and foreign messages with the same errors" do
      inputs = encryptor_settings.flat_map do |settings|
        native = encryptor(Railsess::Native, settings)
        other_key = encryptor(Railsess::Native, settings.dup.tap { |s| s[1] = "o" * 32 })
        messages = mutations(native.encrypt("hello")) + mutations(native.encrypt_enveloped("x", nil, "p")) +
                   garbage + [other_key.encrypt("hello"), nil, 42, native.encrypt("hello").encode("UTF-16LE")]
        messages += crafted_messages(settings)
        messages.map { |message| [settings, message] }
      end
      expect(differences(inputs) do |impl, (settings, message)|
        encryptor(impl, settings).decrypt(message)
      end).to eq([])
      # "" raises as the loaded openssl gem does (before 3.2), or is encrypted (3.2+): with a random IV,
      # so the message is compared by what the other implementation reads back.
      expect(differences(encryptor_settings.product(["", nil, 1])) do |impl, (settings, plain)|
        message = encryptor(impl, settings).encrypt(plain)
        other = impl.equal?(pure) ? Railsess::Native : pure
        [encryptor(other, settings).decrypt(message), message.encoding.name, message.bytesize]
      end).to eq([])
    end
  end

  describe "on its own" do
    it "lets other threads run while a long derivation's rounds run in Ruby" do
      counter = Thread.new { loop { Thread.current[:n] = (Thread.current[:n] || 0) + 1 } }
      sleep 0.02
      before = counter[:n]
      pure.pbkdf2("SHA1", "x" * 64, "salt", 140_000, 20)
      progressed = counter[:n] - before
      counter.kill
      expect(progressed).to be > 1000
    end

    it "keeps its objects opaque, like the extension's" do
      key = "RAILSESS-PURE-KEY-#{'K' * 14}"
      objects = [pure::Encryptor.gcm(key, false, 72), pure::Encryptor.cbc(key, key, "SHA1", false, 72),
                 pure::Verifier.new(key, "SHA1", false, 72)]
      objects.each do |object|
        expect([object.inspect, object.to_s]).to all(satisfy { |text| !text.include?("RAILSESS-PURE") })
        expect { Marshal.dump(object) }.to raise_error(TypeError, /no _dump_data/)
        expect { object.dup }.to raise_error(TypeError, /allocator undefined/)
      end
      expect { pure::Encryptor.new(key) }.to raise_error(TypeError, /allocator undefined/)
    end
  end

  describe "loading" do
    def run_ruby(env, code, *load_path)
      Open3.capture3(env, RbConfig.ruby, *[*load_path, lib].map { |dir| "-I#{dir}" }, "-e", code)
    end

    let(:check) do
      <<~RUBY
        require "json"
        require "railsess"
        require "railsess"
        e = Railsess::MessageEncryptor.new("k" * 32, cipher: "aes-256-gcm", serializer: JSON)
        v = Railsess::MessageVerifier.new("s", serializer: JSON)
        puts Railsess.native?, Railsess::Native::Encryptor.name,
             e.decrypt_and_verify(e.encrypt_and_sign({ "a" => 1 }, purpose: "p"), purpose: "p").inspect,
             v.verified(v.generate([1], purpose: "p"), purpose: "p").inspect
      RUBY
    end

    it "falls back to the pure implementation, warning once, when the extension cannot be loaded" do
      Dir.mktmpdir do |dir|
        # Ruby prefers railsess/railsess.rb on the load path to the .so: it stands in for a broken build,
        # both where a build for this Ruby goes and where `gem install` puts it.
        ["railsess", File.join("railsess", RUBY_VERSION[/\A\d+\.\d+/])].each do |sub|
          FileUtils.mkdir_p(File.join(dir, sub))
          File.write(File.join(dir, sub, "railsess.rb"),
                     'raise LoadError, "simulated: no railsess.so for this platform"')
        end
        out, err, status = run_ruby({ "RAILSESS_PURE" => nil }, check, dir)
        expect(status).to be_success, err
        expect(err).to eq("railsess: native extension unavailable (simulated: no railsess.so for this platform); " \
                          "using the pure-Ruby implementation\n")
        expect(out.lines.map(&:chomp)).to eq(["false", "Railsess::Native::Encryptor", '{"a"=>1}', "[1]"])
      end
    end

    it "uses the pure implementation silently when RAILSESS_PURE=1 asks for it" do
      out, err, status = run_ruby({ "RAILSESS_PURE" => "1" }, check)
      expect([err, status.success?]).to eq(["", true])
      expect(out.lines.map(&:chomp)).to eq(["false", "Railsess::Native::Encryptor", '{"a"=>1}', "[1]"])
    end

    it "uses the compiled extension otherwise" do
      built = Dir[File.join(lib, "railsess", "{,#{RUBY_VERSION[/\A\d+\.\d+/]}/}railsess.{so,bundle}")]
      skip "no compiled extension in lib/railsess" if built.empty?

      out, err, status = run_ruby({ "RAILSESS_PURE" => nil }, check)
      expect([err, status.success?]).to eq(["", true])
      expect(out.lines.map(&:chomp)).to eq(["true", "Railsess::Native::Encryptor", '{"a"=>1}', "[1]"])
    end

    it "reports which implementation runs in this process" do
      pure_requested = !["", "0"].include?(ENV.fetch("RAILSESS_PURE", ""))
      expect(Railsess.native?).to eq(!pure_requested) if pure_requested || Railsess.native?
      expect(Railsess::Native::Encryptor.ancestors.include?(pure::Encryptor)).to eq(!Railsess.native?)
      expect(Railsess::Native::Verifier.ancestors.include?(pure::Verifier)).to eq(!Railsess.native?)
    end
  end

  # --- inputs ------------------------------------------------------------------------------

  # [kind, key, sign secret, digest, url_safe, compat]
  def encryptor_settings
    [61, 70, 71, 72].product([false, true]).flat_map do |compat, url_safe|
      [[:gcm, "k" * 32, nil, nil, url_safe, compat], [:cbc, "k" * 32, "s" * 64, "SHA1", url_safe, compat],
       [:cbc, "k" * 32, "s" * 64, "SHA512", url_safe, compat]]
    end
  end

  def encryptor(impl, settings)
    kind, key, sign_secret, digest, url_safe, compat = settings
    if kind == :gcm
      impl::Encryptor.gcm(key, url_safe, compat)
    else
      impl::Encryptor.cbc(key, sign_secret, digest, url_safe, compat)
    end
  end

  # Messages with parts of every size (IVs, tags, empty data; for CBC correctly signed), to see
  # which check fails first.
  def crafted_messages(settings)
    kind, _key, sign_secret, digest, url_safe, compat = settings
    url = url_safe && compat >= 71
    rng = Random.new(compat)
    return crafted_gcm(rng, url) if kind == :gcm

    [16, 12, 0].product(["", rng.bytes(15), rng.bytes(16), rng.bytes(32)]).flat_map do |iv_len, data|
      inner = "#{b64(data, url_safe: url)}--#{b64(rng.bytes(iv_len), url_safe: url)}"
      [inner, "#{inner}--Zm9v", "YQ==", "--YQ==", "YQ==--", "a--b--c"].map do |text|
        signed(sign_secret, digest, b64(text, url_safe: url))
      end
    end
  end

  def crafted_gcm(rng, url)
    [12, 16, 8].product([16, 18, 12, 0], ["", "x", "y" * 40]).flat_map do |iv_len, tag_len, data|
      parts = [data, rng.bytes(iv_len), rng.bytes(tag_len)]
      [parts, parts.first(2), [*parts, "z"]].flat_map do |fields|
        [fields.map { |f| b64(f, url_safe: url) }.join("--"), fields.map { |f| b64(f) }.join("--")]
      end
    end
  end

  def json_documents
    corpus = [
      '{"a":1}', "[]", "{}", "1", "-1", "0", "-0", "-0.0", "-0e3", "0e3", "0.0", "1.5", "1e3", "1E+3", "1e-7",
      "2.5e400", "-1e-400", "1e-400", "1.8e308", "1.7976931348623157e308", "5e-324", "123456789012345678",
      "-123456789012345678", "1234567890123456789", "18446744073709551615", "1.23456789012345678e5",
      "3.141592653589793238462643383279", '"x"', '""', '"\u00e9\ud83d\ude00"', '"\ud800"', '"\ude00"',
      '"\ud83d\u0041"', '"\ud83dx"', '"\\u0000"', '"tab\\there"', '"quote\\"back\\\\slash"', '"\\/"', '"\\x"',
      '"\\u12"', '"\\u12G4"', "\"a\u0001\"", "\"caf\xC3\xA9\"", "\"bad\xFF\"", "\"\xC3\"", "\"\xED\xA0\x80\"",
      "true", "false", "null", "nul", "nulll", "truex", " [1, 2] ", "\n{\"a\" :\t[ ] }\n", "\f1", "1\f", "\v1",
      '{"a":1,"a":2}', '{"b":1,"a":2}', '{"json_class":"String","raw":[97]}', '{"x":{"json_class":"X"}}',
      '{"json\\u005fclass":1}', "[NaN]", "[Infinity]", "[-Infinity]", "/* c */ [1]", "[1] // c", "[1,]", '{"a":1,}',
      "[01]", "[1.]", "[1e]", "[-]", "", "   ", "[", "]", "{\"a\"}", '{"a" 1}', "{1:2}", "[true false]", "[1] x",
      "\xEF\xBB\xBF[1]", "'a'", "[[[]]]", "#{'[' * 127}#{']' * 127}", "#{'[' * 128}#{']' * 128}",
      "#{'{"a":' * 101}1#{'}' * 101}", "#{'{"a":' * 127}1#{'}' * 127}"
    ]
    rng = Random.new(42)
    generated = Array.new(150) { JSON.generate(random_json(rng, 0)) }
    documents = corpus.map { |s| s.dup.force_encoding(Encoding::UTF_8) } + generated
    documents + documents.first(40).flat_map do |doc|
      [doc.b, doc.dup.force_encoding(Encoding::US_ASCII), doc.dup.force_encoding(Encoding::UTF_16LE),
       doc.dup.force_encoding(Encoding::ISO_8859_1)]
    end
  end

  def random_json(rng, depth)
    if depth > 3 || rng.rand(3).zero?
      random_leaf(rng)
    elsif rng.rand(2).zero?
      Array.new(rng.rand(0..4)) { random_json(rng, depth + 1) }
    else
      Array.new(rng.rand(0..4)) { [rng.rand(1000).to_s, random_json(rng, depth + 1)] }.to_h
    end
  end

  def random_leaf(rng)
    [rng.rand(-10**6..(10**6)), rng.rand * (10**rng.rand(-5..20)), "<&>\u2028 \"\\/\n", nil, true,
     Array.new(rng.rand(0..8)) { [rng.rand(0x20..0x2FFF)].pack("U") }.join,
     rng.rand((2**63)..(2**70))].sample(random: rng)
  end

  def envelope(rest, message: '"YQ=="')
    %({"_rails":{"message":#{message}#{rest}}})
  end

  # Canonical legacy envelopes and everything near them.
  def plaintexts
    fields = [',"exp":null,"pur":null', ',"exp":"2001","pur":"p"', "", ',"pur":"a","pur":"b"', ',"exp":5', ',"exp":nul',
              ',"extra":[1,{"x":[]}],"exp":null', ' , "exp" : null , "pur" : "p" ', ',"p\\u0075r":"x"',
              ',"pur":"\\ud83d\\ude00 \\u003c"', ',"pur":"\\ud83d"', ",\"pur\":\"\xFF\"", ",\"x\":\"\xFF\"",
              ',"x":"\\ud800"', ",\"x\":\"a\u0001\"", ',"x":01', ',"x":-', ',"x":1.', ',"x":1e', ',"x":1.5e+10',
              ',"x":[1,]', ',"x":{}', ',"x":{"a":}', ',"x":{,}', ',"x":[,]', ',"x":tru', ',"x":true', ",",
              ' "exp":null', ",\"exp\":\"\t\"", ",\"x\":#{'[' * 200}#{']' * 200}", ",\"x\":#{'[' * 200}",
              ',"x":"\\""', ",\"\xFF\":1", ',"\\ud800":1', ',"x":{"\\ud800":"\\udfff"}', ',"message":"YQ=="',
              ',"x":1 ,"y":[{"z":null}]']
    envelopes = fields.map { |rest| envelope(rest) }
    envelopes += ['"!!"', '""', '"Y\\u0051=="', '"é"', "5", "null", '"YQ==" '].map do |message|
      envelope(',"exp":null,"pur":null', message: message)
    end
    envelopes += envelopes.first(3).flat_map do |text|
      ["#{text} ", "#{text}\n", "#{text}x", text[0..-2], " #{text}", "#{text[0..-2]},\"other\":{\"deep\":[[[]]]}}",
       "#{text[0..-2]},\"_rails\":{}}"]
    end
    envelopes + ['{"_rails": {"message":"YQ=="}}', '{"_rails":{"data":1}}', "plain", "",
                 "{\"_rails\":{\"message\":\"YQ==\""]
  end

  # Plaintexts for the JSON fast path: JSON values, envelopes around them, Rails 7.1 envelopes.
  def json_plaintexts
    values = ['{"a":1}', "[1,2]", '"x"', "null", "false", "1", "-0", '"\\u003c"', '{"json_class":"String"}',
              "[[[1]]]", " ", "", "not json", '{"_rails":{"data":1,"pur":"p"}}', "1e400"]
    wrapped = ['{"a":1}', "false", "not json", "[[1]]"].flat_map do |value|
      [nil, '"p"', '"other"'].flat_map do |pur|
        [envelope(",\"exp\":null,\"pur\":#{pur || 'null'}", message: "\"#{b64(value)}\""),
         envelope(",\"exp\":\"2999-01-01T00:00:00.000Z\",\"pur\":#{pur || 'null'}", message: "\"#{b64(value)}\"")]
      end
    end
    expiring = ["2999-01-01T00:00:00.000Z", "2001-01-01T00:00:00.000Z", "2999-01-01T00:00:00Z", "x"].flat_map do |exp|
      [envelope(",\"exp\":\"#{exp}\",\"pur\":\"p\"", message: "\"#{b64('[1]')}\"")]
    end
    values + wrapped + expiring + [envelope(',"exp":null,"pur":"p"', message: '"!!"')] + envelopes_71
  end

  # ActiveSupport 7.1+'s metadata inside the serializer's output, and the shapes around it that
  # Ruby must decide (encryptor.rs' read_71).
  def envelopes_71
    fields = [
      '"data":{"a":[1]},"pur":"p"', '"data":null,"pur":"p"', '"data":1', '"data":1,"pur":null', '"pur":"p"',
      '"data":1,"exp":"2999-01-01T00:00:00.000Z","pur":"p"', '"data":1,"exp":"2001-01-01T00:00:00.000Z","pur":"p"',
      '"data":1,"exp":"2999-01-01T00:00:00Z","pur":"p"', '"data":1,"exp":false,"pur":"p"', '"data":1,"exp":1',
      '"data":1,"pur":1', '"data":1,"pur":"other"', '"pur":"p","data":[true]', '"data":1,"pur":"p","pur":"other"'
    ]
    fields.map { |inner| "{\"_rails\":{#{inner}}}" } +
      ['{"_rails":1}', '{"_rails":null}', '{"_rails":[1]}', '{"a":1,"_rails":{"data":2,"pur":"p"}}',
       '{"\\u005frails":{"data":3,"pur":"p"}}', '{"_rails":{"message":"MQ==","pur":"p"}}', '{"_rails" :{"data":1}}']
  end
end
