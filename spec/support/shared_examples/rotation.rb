# frozen_string_literal: true

# Rotation, compared with ActiveSupport, for a MessageEncryptor or a MessageVerifier: written once,
# included by spec/message_encryptor/compat_spec.rb and spec/message_verifier/compat_spec.rb.
# Configurations are [positional args, options]. The including group provides:
#   build_codec(side, config, **extra)   side :active_support or :railsess
#   write_method                         :encrypt_and_sign or :generate
#   read_methods                         the calls that run rotations ([:decrypt_and_verify] / [:verified, :verify])
#   unrelated_args                       positional args of a writer neither side can read
#   rotation_reported?(current, message, purpose)   whether ActiveSupport must report this old message's
#                                        rotation (`current` alone, without rotations, refuses it)

# Messages from old, current and unrelated writers, read with every purpose combination.
RSpec.shared_examples "rotating like ActiveSupport" do |label, current, rotation, old|
  it "#{label}: same values, errors and on_rotation calls as ActiveSupport" do
    as_calls = 0
    rs_calls = 0
    as = build_codec(:active_support, current, on_rotation: -> { as_calls += 1 })
    rs = build_codec(:railsess, current, on_rotation: -> { rs_calls += 1 })
    rotate_args, rotate_options = rotation
    as.rotate(*rotate_args, **rotate_options)
    rs.rotate(*rotate_args, **rotate_options)
    current_alone = build_codec(:active_support, current)

    writers = {
      "old (AS)" => build_codec(:active_support, old), "old (railsess)" => build_codec(:railsess, old),
      "current (AS)" => build_codec(:active_support, current), "current (railsess)" => build_codec(:railsess, current),
      "unrelated (AS)" => build_codec(:active_support, [unrelated_args, current.last])
    }
    problems = []
    writers.each do |writer_label, writer|
      [["value", { "id" => 1 }], ["false", false], ["nil", nil]].each do |value_label, value|
        [[nil, nil], %w[login login], ["login", nil], [nil, "login"]].each do |write_purpose, read_purpose|
          message = writer.public_send(write_method, value, purpose: write_purpose)
          read_methods.each do |call|
            as_calls = rs_calls = 0
            expected = [outcome { as.public_send(call, message, purpose: read_purpose) }, as_calls]
            actual = [outcome { rs.public_send(call, message, purpose: read_purpose) }, rs_calls]
            if writer_label.start_with?("old") && value_label == "value" && write_purpose == read_purpose &&
               rotation_reported?(current_alone, message, read_purpose)
              expect(expected.last).to eq(1), "ActiveSupport should report the rotation (#{writer_label}, #{call})"
            end
            expect(expected.last).to eq(0) unless writer_label.start_with?("old")
            next if expected == actual

            problems << { writer: writer_label, value: value_label, purpose: [write_purpose, read_purpose],
                          call: call, active_support: expected, railsess: actual }
          end
        end
      end
    end
    expect(problems).to eq([])
  end
end

# An on_rotation given to the read call replaces the constructor's, on both sides.
RSpec.shared_examples "taking on_rotation from the read call like ActiveSupport" do |current, old|
  it "calls an on_rotation given to the read call instead of the constructor's" do
    constructor_calls = []
    rs = build_codec(:railsess, current, on_rotation: -> { constructor_calls << :constructor })
    as = build_codec(:active_support, current)
    [as, rs].each { |codec| codec.rotate(*old.first) }
    message = build_codec(:active_support, old).public_send(write_method, "v")

    read_methods.each do |call|
      as_calls = []
      rs_calls = []
      expect(as.public_send(call, message, on_rotation: -> { as_calls << call })).to eq("v")
      expect(rs.public_send(call, message, on_rotation: -> { rs_calls << call })).to eq("v")
      expect(rs_calls).to eq(as_calls)
      expect(rs_calls).to eq([call])
    end
    expect(constructor_calls).to eq([])
  end
end
