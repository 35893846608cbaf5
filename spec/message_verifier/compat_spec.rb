# frozen_string_literal: true

require_relative "../support/compat_helpers"

# Railsess::MessageVerifier against the real ActiveSupport::MessageVerifier (6.1 semantics).
# Signing is deterministic, so without `expires_in` railsess must produce the very same bytes.
RSpec.describe "MessageVerifier compatibility with ActiveSupport", :active_support, kind: :compat do
  include CompatHelpers

  let(:secret) { CompatHelpers::VERIFIER_SECRET }

  def shape(message)
    { encoding: message.encoding.name, parts: message.split("--", -1).map(&:bytesize) }
  end

  # verified / verify / valid_message? for one message, ActiveSupport vs railsess.
  def read_problems(message, as_codec, rs_codec, purpose, labels)
    {
      "verified" => ->(v) { v.verified(message, purpose: purpose) },
      "verify" => ->(v) { v.verify(message, purpose: purpose) },
      "valid_message?" => ->(v) { v.valid_message?(message) }
    }.filter_map do |call, read|
      expected = outcome { read.call(as_codec) }
      actual = outcome { read.call(rs_codec) }
      @ok_reads += 1 if call == "verified" && expected.first == :ok && !expected.last.start_with?("nil ")
      next if expected == actual

      labels.merge(call: call, active_support: expected, railsess: actual)
    end
  end

  CompatHelpers::VERIFIER_DIGESTS.each do |digest|
    CompatHelpers::SERIALIZERS.each_key do |serializer_label|
      CompatHelpers::METADATA.each do |metadata_label, write_options, read_purpose|
        it "#{digest}, #{serializer_label}, #{metadata_label}: same messages, each side reads the other's" do
          serializer = serializer(serializer_label)
          as = ActiveSupport::MessageVerifier.new(secret, digest: digest, serializer: serializer)
          rs = Railsess::MessageVerifier.new(secret, digest: digest, serializer: serializer)
          write = realize(write_options)
          deterministic = !write.key?(:expires_in)
          problems = []
          @ok_reads = 0

          payloads(serializer_label).each do |name, value|
            as_written, rs_written = write_both(as, rs, :generate, value, write)
            unless same_write?(as_written, rs_written)
              problems << { payload: name, call: "generate", active_support: as_written, railsess: rs_written }
              next
            end
            next if as_written.first == :error

            as_message = as_written.last
            rs_message = rs_written.last
            if deterministic && (as_message != rs_message || as_message.encoding != rs_message.encoding)
              problems << { payload: name, call: "generate (bytes)", active_support: as_message,
                            railsess: rs_message, encodings: [as_message.encoding, rs_message.encoding] }
            end
            if shape(as_message) != shape(rs_message)
              problems << { payload: name, call: "generate (shape)", active_support: shape(as_message),
                            railsess: shape(rs_message) }
            end
            problems.concat(read_problems(as_message, as, rs, read_purpose, payload: name, message: "AS's"))
            problems.concat(read_problems(rs_message, as, rs, read_purpose, payload: name, message: "railsess'"))
            own = outcome { as.verified(as_message, purpose: read_purpose) }
            theirs = outcome { as.verified(rs_message, purpose: read_purpose) }
            if own != theirs
              problems << { payload: name, call: "AS reads railsess' as its own", own: own,
                            theirs: theirs }
            end
          end

          expect(problems).to eq([])
          expect(@ok_reads).to be_positive
        end
      end
    end
  end

  describe "deterministic output" do
    it "writes byte-identical messages for purposes of every kind and for expires_at" do
      purposes = ["cookie._app_session", "ü€😀", "a\"b\\c", "</script>&amp;", "\u2028\u2029", "", 42, 1.5, :sym, true]
      times = [
        -> { Time.utc(2030, 1, 2, 3, 4, 5) },
        -> { Time.at(1_900_000_000, 123_456_789, :nsec) },
        -> { Time.new(2030, 6, 7, 8, 9, 10.5r, "+09:00") },
        -> { Time.utc(1999, 12, 31, 23, 59, 59.9999r) }
      ]
      problems = []
      %w[SHA1 SHA256].each do |digest|
        as = ActiveSupport::MessageVerifier.new(secret, digest: digest, serializer: JSON)
        rs = Railsess::MessageVerifier.new(secret, digest: digest, serializer: JSON)
        cases = purposes.map { |purpose| [{ purpose: purpose }, -> { { purpose: purpose } }] }
        cases += times.map { |time| [time.call, -> { { expires_at: time.call } }] }
        cases += times.map { |time| [[time.call, :both], -> { { expires_at: time.call, purpose: "p" } }] }
        cases.each do |label, options|
          expected = outcome { as.generate({ "v" => [1, "ü"] }, **options.call) }
          actual = outcome { rs.generate({ "v" => [1, "ü"] }, **options.call) }
          if expected != actual
            problems << { digest: digest, options: label, active_support: expected,
                          railsess: actual }
          end
        end
      end
      expect(problems).to eq([])
    end

    it "verifies under exactly the purposes ActiveSupport accepts" do
      purposes = [nil, "", "login", :login, "Login", 42, "42"]
      as = ActiveSupport::MessageVerifier.new(secret, serializer: JSON)
      rs = Railsess::MessageVerifier.new(secret, serializer: JSON)
      problems = []
      purposes.each do |write_purpose|
        message = as.generate("x", purpose: write_purpose)
        purposes.each do |read_purpose|
          %i[verified verify].each do |call|
            expected = outcome { as.public_send(call, message, purpose: read_purpose) }
            actual = outcome { rs.public_send(call, message, purpose: read_purpose) }
            next if expected == actual

            problems << { written: write_purpose, read: read_purpose, call: call, active_support: expected,
                          railsess: actual }
          end
        end
      end
      expect(problems).to eq([])
    end
  end

  describe "ActiveSupport::JSON as the serializer" do
    # ActiveSupport 6.1's ActiveSupport::JSON has no dump/load: generating raises NoMethodError,
    # and so does reading a valid message.
    it "fails to generate, and to read ::JSON-generated messages, exactly as ActiveSupport does" do
      as = ActiveSupport::MessageVerifier.new(secret, serializer: ActiveSupport::JSON)
      rs = Railsess::MessageVerifier.new(secret, serializer: ActiveSupport::JSON)
      json = ActiveSupport::MessageVerifier.new(secret, serializer: JSON)
      problems = []
      payloads("::JSON").first(6).each do |name, value|
        [nil, "login"].each do |purpose|
          generated = [outcome { as.generate(value, purpose: purpose) }, outcome do
                                                                           rs.generate(value, purpose: purpose)
                                                                         end]
          problems << { payload: name, call: :generate, outcomes: generated } if generated[0] != generated[1]
          message = json.generate(value, purpose: purpose)
          %i[verified verify valid_message?].each do |call|
            args = call == :valid_message? ? [message] : [message, { purpose: purpose }]
            read = [outcome { as.public_send(call, *args) }, outcome { rs.public_send(call, *args) }]
            problems << { payload: name, purpose: purpose, call: call, outcomes: read } if read[0] != read[1]
          end
        end
      end
      expect(problems).to eq([])
    end
  end

  describe "rotation" do
    # [label, current [args, options], rotate [args, options], an old writer's [args, options]]
    secret = CompatHelpers::VERIFIER_SECRET
    old_secret = CompatHelpers::OLD_VERIFIER_SECRET
    rotations = [
      ["old secret", [[secret], { digest: "SHA1" }], [[old_secret], {}], [[old_secret], { digest: "SHA1" }]],
      ["old secret keeps the current digest", [[secret], { digest: "SHA256" }], [[old_secret], {}],
       [[old_secret], { digest: "SHA256" }]],
      ["SHA1 -> SHA256 digest change", [[secret], { digest: "SHA256" }], [[], { digest: "SHA1" }],
       [[secret], { digest: "SHA1" }]],
      ["old secret and MD5 (handed to ActiveSupport)", [[secret], { digest: "SHA1" }],
       [[old_secret], { digest: "MD5" }], [[old_secret], { digest: "MD5" }]],
      ["JSON -> Marshal serializer change", [[secret], { serializer: JSON }],
       [[old_secret], { serializer: Marshal }], [[old_secret], { serializer: Marshal }]]
    ]

    def build_codec(side, (args, options), **extra)
      klass = side == :active_support ? ActiveSupport::MessageVerifier : Railsess::MessageVerifier
      klass.new(*args, **options, **extra)
    end

    # An old secret's or digest's message never verifies under the current one alone.
    def rotation_reported?(_current, _message, _purpose) = true

    let(:write_method) { :generate }
    let(:read_methods) { %i[verified verify] }
    let(:unrelated_args) { ["unrelated"] }

    rotations.each do |label, current, rotation, old|
      include_examples "rotating like ActiveSupport", label, current, rotation, old
    end

    include_examples "taking on_rotation from the read call like ActiveSupport",
                     [[secret], {}], [[old_secret], {}]
  end

  it "raises from verify what ActiveSupport raises, message included (7.1+: the reason)" do
    as = ActiveSupport::MessageVerifier.new(secret, serializer: JSON)
    ours = Railsess::MessageVerifier.new(secret, serializer: JSON)
    signed = as.generate({ "a" => 1 }, purpose: "p", expires_at: Time.now + 60)
    expired = as.generate({ "a" => 1 }, purpose: "p", expires_at: Time.now - 60)
    bare = as.generate({ "a" => 1 })
    [[signed, "q"], [expired, "p"], [bare, "p"], [signed, nil]].each do |message, purpose|
      outcome = lambda do |verifier|
        verifier.verify(message, purpose: purpose)
      rescue StandardError => e
        [e.class.name.split("::").last, e.message.split("::").last]
      end
      expect(outcome.call(ours)).to eq(outcome.call(as)), "purpose #{purpose.inspect}"
    end
  end

  it "uses ActiveSupport's default digest and serializer when none is given" do
    as = ActiveSupport::MessageVerifier.new(secret)
    rs = Railsess::MessageVerifier.new(secret)
    value = { sym: [1, "ü".b, 2.5] }
    expect(rs.generate(value)).to eq(as.generate(value))
    expect(rs.verify(as.generate(value))).to eq(value)
  end

  it "signs with a CachingKeyGenerator key like a Rails signed cookie jar" do
    base = "secret_key_base" * 8
    as_key = ActiveSupport::CachingKeyGenerator.new(ActiveSupport::KeyGenerator.new(base, iterations: 1000))
                                               .generate_key("signed cookie")
    rs_key = Railsess::CachingKeyGenerator.new(Railsess::KeyGenerator.new(base, iterations: 1000))
                                          .generate_key("signed cookie")
    null = ActiveSupport::MessageEncryptor::NullSerializer
    as = ActiveSupport::MessageVerifier.new(as_key, digest: "SHA1", serializer: null)
    rs = Railsess::MessageVerifier.new(rs_key, digest: "SHA1", serializer: null)
    cookie = JSON.generate("remember" => [[1], "token", 1_700_000_000.5])
    expect(rs.generate(cookie, purpose: "cookie.remember_user_token"))
      .to eq(as.generate(cookie, purpose: "cookie.remember_user_token"))
    expect(rs.verified(as.generate(cookie, purpose: "cookie.x"), purpose: "cookie.x")).to eq(cookie)
  end
end
