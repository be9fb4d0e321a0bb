; obs harvest tags for TypeScript; compiled against both the typescript and
; the tsx grammar (TSX only adds JSX nodes). Same capture scheme as python-tags.scm.

(function_declaration
  name: (identifier) @name) @definition.function
(generator_function_declaration
  name: (identifier) @name) @definition.function
(function_signature
  name: (identifier) @name) @definition.function
(class_declaration
  name: (type_identifier) @name) @definition.class
(abstract_class_declaration
  name: (type_identifier) @name) @definition.class
(method_definition
  name: (property_identifier) @name) @definition.method
(method_signature
  name: (property_identifier) @name) @definition.method
(abstract_method_signature
  name: (property_identifier) @name) @definition.method
(interface_declaration
  name: (type_identifier) @name) @definition.interface
(type_alias_declaration
  name: (type_identifier) @name) @definition.type
(enum_declaration
  name: (identifier) @name) @definition.enum
(internal_module
  name: (identifier) @name) @definition.module
(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression)]) @definition.function

(call_expression
  function: (identifier) @reference.call)
(call_expression
  function: (member_expression
    property: (property_identifier) @reference.call))
(new_expression
  constructor: (identifier) @reference.class)
(extends_clause
  value: (identifier) @reference.class)
(type_identifier) @reference.type
(import_specifier
  name: (identifier) @reference.import)
