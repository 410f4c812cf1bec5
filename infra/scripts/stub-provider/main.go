// A schema-only stand-in for the hashicorp/aws provider, so that `terraform validate` can run where the
// real provider cannot be built or downloaded. It serves the schema gen-schema.py rebuilt from
// @cdktf/provider-aws (embedded as schema.json at build time) and accepts every configuration: Terraform
// core still does its own validation (argument names, types, required arguments, block nesting,
// references, expressions, preconditions' syntax), but the provider's own checks (enum values, ARN
// formats, ...) do not run. It refuses to plan, apply or read anything.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log"

	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5/tf5server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

//go:embed schema.json
var schemaJSON []byte

type attributeJSON struct {
	Name     string          `json:"name"`
	Type     json.RawMessage `json:"type"`
	Required bool            `json:"required"`
	Optional bool            `json:"optional"`
	Computed bool            `json:"computed"`
}

type nestedJSON struct {
	Name     string    `json:"name"`
	Nesting  string    `json:"nesting"`
	MinItems int64     `json:"min_items"`
	Block    blockJSON `json:"block"`
}

type blockJSON struct {
	Attributes []attributeJSON `json:"attributes"`
	Blocks     []nestedJSON    `json:"blocks"`
}

type schemaFile struct {
	Provider    blockJSON            `json:"provider"`
	Resources   map[string]blockJSON `json:"resources"`
	DataSources map[string]blockJSON `json:"data_sources"`
}

func parseType(raw json.RawMessage) (tftypes.Type, error) {
	var name string
	if json.Unmarshal(raw, &name) == nil {
		switch name {
		case "string":
			return tftypes.String, nil
		case "number":
			return tftypes.Number, nil
		case "bool":
			return tftypes.Bool, nil
		case "dynamic":
			return tftypes.DynamicPseudoType, nil
		}
		return nil, fmt.Errorf("unknown type %q", name)
	}
	var pair []json.RawMessage
	if err := json.Unmarshal(raw, &pair); err != nil || len(pair) != 2 {
		return nil, fmt.Errorf("bad type %s", raw)
	}
	var kind string
	if err := json.Unmarshal(pair[0], &kind); err != nil {
		return nil, err
	}
	element, err := parseType(pair[1])
	if err != nil {
		return nil, err
	}
	switch kind {
	case "list":
		return tftypes.List{ElementType: element}, nil
	case "set":
		return tftypes.Set{ElementType: element}, nil
	case "map":
		return tftypes.Map{ElementType: element}, nil
	}
	return nil, fmt.Errorf("unknown collection %q", kind)
}

var nestingModes = map[string]tfprotov5.SchemaNestedBlockNestingMode{
	"single": tfprotov5.SchemaNestedBlockNestingModeSingle,
	"list":   tfprotov5.SchemaNestedBlockNestingModeList,
	"set":    tfprotov5.SchemaNestedBlockNestingModeSet,
}

func convertBlock(block blockJSON) (*tfprotov5.SchemaBlock, error) {
	result := &tfprotov5.SchemaBlock{}
	for _, attribute := range block.Attributes {
		attributeType, err := parseType(attribute.Type)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", attribute.Name, err)
		}
		result.Attributes = append(result.Attributes, &tfprotov5.SchemaAttribute{
			Name: attribute.Name, Type: attributeType,
			Required: attribute.Required, Optional: attribute.Optional, Computed: attribute.Computed,
		})
	}
	for _, nested := range block.Blocks {
		inner, err := convertBlock(nested.Block)
		if err != nil {
			return nil, fmt.Errorf("%s.%w", nested.Name, err)
		}
		mode, ok := nestingModes[nested.Nesting]
		if !ok {
			return nil, fmt.Errorf("%s: unknown nesting %q", nested.Name, nested.Nesting)
		}
		result.BlockTypes = append(result.BlockTypes, &tfprotov5.SchemaNestedBlock{
			TypeName: nested.Name, Block: inner, Nesting: mode, MinItems: nested.MinItems,
		})
	}
	return result, nil
}

func convertAll(blocks map[string]blockJSON) map[string]*tfprotov5.Schema {
	result := make(map[string]*tfprotov5.Schema, len(blocks))
	for name, block := range blocks {
		converted, err := convertBlock(block)
		if err != nil {
			log.Printf("stub provider: %s not served: %v", name, err)
			continue
		}
		result[name] = &tfprotov5.Schema{Block: converted}
	}
	return result
}

type server struct {
	schema *tfprotov5.GetProviderSchemaResponse
}

var errStub = errors.New("this is a schema-only stand-in for hashicorp/aws (infra/scripts/stub-provider): it only supports `terraform validate`")

func refuse() []*tfprotov5.Diagnostic {
	return []*tfprotov5.Diagnostic{{Severity: tfprotov5.DiagnosticSeverityError, Summary: errStub.Error()}}
}

func (s *server) GetMetadata(context.Context, *tfprotov5.GetMetadataRequest) (*tfprotov5.GetMetadataResponse, error) {
	response := &tfprotov5.GetMetadataResponse{}
	for name := range s.schema.ResourceSchemas {
		response.Resources = append(response.Resources, tfprotov5.ResourceMetadata{TypeName: name})
	}
	for name := range s.schema.DataSourceSchemas {
		response.DataSources = append(response.DataSources, tfprotov5.DataSourceMetadata{TypeName: name})
	}
	return response, nil
}

func (s *server) GetProviderSchema(context.Context, *tfprotov5.GetProviderSchemaRequest) (*tfprotov5.GetProviderSchemaResponse, error) {
	return s.schema, nil
}

func (s *server) PrepareProviderConfig(_ context.Context, request *tfprotov5.PrepareProviderConfigRequest) (*tfprotov5.PrepareProviderConfigResponse, error) {
	return &tfprotov5.PrepareProviderConfigResponse{PreparedConfig: request.Config}, nil
}

func (s *server) ConfigureProvider(context.Context, *tfprotov5.ConfigureProviderRequest) (*tfprotov5.ConfigureProviderResponse, error) {
	return &tfprotov5.ConfigureProviderResponse{Diagnostics: refuse()}, nil
}

func (s *server) StopProvider(context.Context, *tfprotov5.StopProviderRequest) (*tfprotov5.StopProviderResponse, error) {
	return &tfprotov5.StopProviderResponse{}, nil
}

func (s *server) ValidateResourceTypeConfig(context.Context, *tfprotov5.ValidateResourceTypeConfigRequest) (*tfprotov5.ValidateResourceTypeConfigResponse, error) {
	return &tfprotov5.ValidateResourceTypeConfigResponse{}, nil
}

func (s *server) UpgradeResourceState(context.Context, *tfprotov5.UpgradeResourceStateRequest) (*tfprotov5.UpgradeResourceStateResponse, error) {
	return &tfprotov5.UpgradeResourceStateResponse{Diagnostics: refuse()}, nil
}

func (s *server) ReadResource(context.Context, *tfprotov5.ReadResourceRequest) (*tfprotov5.ReadResourceResponse, error) {
	return &tfprotov5.ReadResourceResponse{Diagnostics: refuse()}, nil
}

func (s *server) PlanResourceChange(context.Context, *tfprotov5.PlanResourceChangeRequest) (*tfprotov5.PlanResourceChangeResponse, error) {
	return &tfprotov5.PlanResourceChangeResponse{Diagnostics: refuse()}, nil
}

func (s *server) ApplyResourceChange(context.Context, *tfprotov5.ApplyResourceChangeRequest) (*tfprotov5.ApplyResourceChangeResponse, error) {
	return &tfprotov5.ApplyResourceChangeResponse{Diagnostics: refuse()}, nil
}

func (s *server) ImportResourceState(context.Context, *tfprotov5.ImportResourceStateRequest) (*tfprotov5.ImportResourceStateResponse, error) {
	return &tfprotov5.ImportResourceStateResponse{Diagnostics: refuse()}, nil
}

func (s *server) ValidateDataSourceConfig(context.Context, *tfprotov5.ValidateDataSourceConfigRequest) (*tfprotov5.ValidateDataSourceConfigResponse, error) {
	return &tfprotov5.ValidateDataSourceConfigResponse{}, nil
}

func (s *server) ReadDataSource(context.Context, *tfprotov5.ReadDataSourceRequest) (*tfprotov5.ReadDataSourceResponse, error) {
	return &tfprotov5.ReadDataSourceResponse{Diagnostics: refuse()}, nil
}

func main() {
	var file schemaFile
	if err := json.Unmarshal(schemaJSON, &file); err != nil {
		log.Fatalf("stub provider: embedded schema: %v", err)
	}
	provider, err := convertBlock(file.Provider)
	if err != nil {
		log.Fatalf("stub provider: provider block: %v", err)
	}
	schema := &tfprotov5.GetProviderSchemaResponse{
		Provider:          &tfprotov5.Schema{Block: provider},
		ResourceSchemas:   convertAll(file.Resources),
		DataSourceSchemas: convertAll(file.DataSources),
	}
	factory := func() tfprotov5.ProviderServer { return &server{schema: schema} }
	if err := tf5server.Serve("registry.terraform.io/hashicorp/aws", factory); err != nil {
		log.Fatal(err)
	}
}
